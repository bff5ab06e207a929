// The raw baseline: a plain node:http server with postgres.js issuing the same SQL as the
// gateway (batched with = ANY, no GraphQL, no auth) and answering the same JSON. It is the limit
// of this stack on this machine; the benchmark reports customer-graph as a ratio to it.
//   GET /list?company=com_00&first=50[&after=<cursor>]   GET /byid?company=com_00&id=cus_…
//   GET /metrics (requests and statements so far)
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import postgres from 'postgres';
import { decodeCursor, encodeCursor } from '../src/lib/cursor.js';
import { microsToIso, toMicros } from '../src/lib/time.js';
import { customerListScope } from '../src/services/customer.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');

let statements = 0;
let requests = 0;
const sql = postgres(url, {
  max: Number(process.env.DATABASE_POOL_SIZE ?? Math.max(4, 2 * availableParallelism())),
  onnotice: () => {},
  connection: { TimeZone: 'UTC', application_name: 'raw-baseline' },
  debug: () => {
    statements += 1;
  },
});

type Row = Record<string, unknown>;
const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);

async function customersWithChildren(companyId: string, customers: Row[]) {
  const ids = customers.map((c) => c.id as string);
  const [addresses, tags, notes] = await Promise.all([
    sql`select * from customer_addresses where company_id = ${companyId} and customer_id = any(${ids}::text[])
        order by customer_id, type, created_time, id`,
    sql`select t.id, t.name, ct.customer_id from customer_tags ct
        join tags t on t.company_id = ct.company_id and t.id = ct.tag_id
        where ct.company_id = ${companyId} and ct.customer_id = any(${ids}::text[])
        order by t.name_key, t.name, t.id`,
    sql`select n.* from customers c cross join lateral (
          select * from customer_notes n where n.company_id = ${companyId} and n.customer_id = c.id
          order by n.created_time desc, n.id desc limit 5) n
        where c.company_id = ${companyId} and c.id = any(${ids}::text[])`,
  ]);
  const group = (rows: Row[]) => {
    const byCustomer = new Map<string, Row[]>();
    for (const row of rows) {
      const list = byCustomer.get(row.customer_id as string);
      if (list) list.push(row);
      else byCustomer.set(row.customer_id as string, [row]);
    }
    return byCustomer;
  };
  const addressesOf = group(addresses);
  const tagsOf = group(tags);
  const notesOf = group(notes);
  return customers.map((c) => ({
    id: c.id,
    companyId: c.company_id,
    preferredBusinessId: c.preferred_business_id,
    firstName: c.first_name,
    lastName: c.last_name,
    avatar: c.avatar_path,
    phone: c.phone,
    email: c.email,
    status: c.status,
    colorCode: c.color_code,
    source: c.source,
    lastAppointmentDate: iso(c.last_appointment_date),
    nextAppointmentDate: iso(c.next_appointment_date),
    upcomingAppointmentsUrl: c.upcoming_appointments_url,
    deleted: c.deleted,
    createdBy: c.created_by,
    createdTime: iso(c.created_time),
    lastUpdatedBy: c.last_updated_by,
    lastUpdatedTime: iso(c.last_updated_time),
    address: (addressesOf.get(c.id as string) ?? []).map((a) => ({
      id: a.id,
      address1: a.address1,
      address2: a.address2,
      city: a.city,
      state: a.state,
      postalCode: a.postal_code,
      country: a.country,
      type: a.type,
    })),
    notes: {
      // In the LATERAL join's order: newest first, per customer.
      edges: (notesOf.get(c.id as string) ?? []).map((n) => ({
        node: {
          id: n.id,
          note: n.note,
          createdBy: n.created_by,
          createdTime: iso(n.created_time),
          lastUpdatedTime: iso(n.last_updated_time),
        },
      })),
    },
    tags: (tagsOf.get(c.id as string) ?? []).map((t) => ({ id: t.id, name: t.name })),
  }));
}

async function list(companyId: string, first: number, after: string | null) {
  const scope = customerListScope(companyId, {});
  const position = after === null ? null : decodeCursor(after, scope);
  if (typeof position === 'string') throw new Error(`bad cursor: ${position}`);
  const rows = position
    ? await sql`select *, last_updated_time::text as sort_time from customers
        where company_id = ${companyId} and deleted = false
        and (last_updated_time, id) > (${microsToIso(position.micros)}::timestamptz, ${position.id})
        order by last_updated_time, id limit ${first + 1}`
    : await sql`select *, last_updated_time::text as sort_time from customers
        where company_id = ${companyId} and deleted = false
        order by last_updated_time, id limit ${first + 1}`;
  const page = rows.slice(0, first);
  const last = page.at(-1);
  return {
    data: {
      customers: {
        edges: (await customersWithChildren(companyId, page)).map((node) => ({ node })),
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: last
            ? encodeCursor(scope, {
                micros: toMicros(last.sort_time as string),
                id: last.id as string,
              })
            : null,
        },
      },
    },
  };
}

async function byId(companyId: string, id: string) {
  const rows =
    await sql`select * from customers where company_id = ${companyId} and id = any(${[id]}::text[])`;
  const [customer] = await customersWithChildren(companyId, rows);
  return { data: { customer: customer ?? null } };
}

const server = createServer((req, res) => {
  requests += 1;
  const url = new URL(req.url ?? '/', 'http://raw');
  const send = (status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const company = url.searchParams.get('company') ?? 'com_00';
  const work =
    url.pathname === '/list'
      ? list(company, Number(url.searchParams.get('first') ?? 50), url.searchParams.get('after'))
      : url.pathname === '/byid'
        ? byId(company, url.searchParams.get('id') ?? '')
        : null;
  if (url.pathname === '/metrics') {
    return send(
      200,
      `raw_requests_total ${requests}\nraw_sql_statements_total ${statements}\n`,
      'text/plain',
    );
  }
  if (!work) return send(404, '{"error":"not found"}');
  work.then(
    (body) => send(200, JSON.stringify(body)),
    (error: unknown) => send(500, JSON.stringify({ error: String(error) })),
  );
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `raw baseline listening on ${typeof address === 'object' && address ? address.port : ''}\n`,
  );
});
process.on('SIGTERM', () => {
  server.close();
  void sql.end({ timeout: 2 }).then(() => process.exit(0));
});
