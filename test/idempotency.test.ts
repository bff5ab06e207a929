// Idempotency keys on createCustomer, appendCustomerNotes and appendCustomerTags: a retry with
// the same key and arguments answers the first result (the same IDs, whatever its selection set)
// and writes nothing; other arguments are INVALID_ARGUMENT on input.idempotencyKey; keys are per
// company, kept 24 hours, and a failed call keeps none. On PostgreSQL, 20 identical calls at once
// make one customer.
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/repositories/sql.js';
import { countCustomers, expectCode, minimalInput, violatedFields } from './helpers/customers.js';
import { isPostgres, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id firstName } } }`;
const CREATE_OTHER_SELECTION = `mutation Again($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id version notes(first: 5) { edges { node { note } } } } } }`;
const APPEND_NOTES = `mutation($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { notes { id note } customer { id version } } }`;
const APPEND_TAGS = `mutation($input: AppendCustomerTagsInput!) { appendCustomerTags(input: $input) { tags { id name } customer { id version } } }`;
const NOTES = `query($id: ID!) { customer(id: $id) { version notes(first: 50) { totalCount } } }`;

type Created = { createCustomer: { customer: { id: string } } };

async function create(company: TestCompany, input: Record<string, unknown>, document = CREATE) {
  return company.gql<Created>(document, { input: minimalInput(company.id, input) });
}

async function keys(companyId: string): Promise<{ key: string; result: unknown }[]> {
  return rowsOf(
    await env.store.db.execute(
      sql`select key, result from idempotency_keys where company_id = ${companyId} order by key`,
    ),
  );
}

describe('idempotency keys', () => {
  it('answer a retry of createCustomer with the first customer, whatever its selection set', async () => {
    const company = await newCompany(env);
    const first = await create(company, { idempotencyKey: 'create-1', notes: [{ note: 'Hi.' }] });
    expect(first.errors).toBeUndefined();
    const id = first.data!.createCustomer.customer.id;

    const again = await create(
      company,
      { idempotencyKey: 'create-1', notes: [{ note: 'Hi.' }] },
      CREATE_OTHER_SELECTION,
    );
    expect(again.errors).toBeUndefined();
    expect(again.data?.createCustomer.customer).toEqual({
      id,
      version: 1,
      notes: { edges: [{ node: { note: 'Hi.' } }] },
    });
    // The same arguments written in another order and as a literal are the same call.
    const literal = await company.gql<Created>(
      `mutation { createCustomer(input: { phone: "+12125551234", lastName: "Lovelace", firstName: "Ada", preferredBusinessId: "biz_001", companyId: "${company.id}", notes: [{ note: "Hi." }], idempotencyKey: "create-1" }) { customer { id } } }`,
    );
    expect(literal.data?.createCustomer.customer.id).toBe(id);
    expect(await countCustomers(company)).toBe(1);
    // Only the customer's ID is kept with the key: no personal value.
    expect(await keys(company.id)).toEqual([{ key: 'create-1', result: { customerId: id } }]);
  });

  it('refuse the same key with other arguments, and keep keys per company', async () => {
    const company = await newCompany(env);
    expect((await create(company, { idempotencyKey: 'k' })).errors).toBeUndefined();
    const other = await create(company, { idempotencyKey: 'k', firstName: 'Grace' });
    expect(violatedFields(other)).toEqual(['input.idempotencyKey']);
    expect(await countCustomers(company)).toBe(1);

    const elsewhere = await newCompany(env);
    const theirs = await create(elsewhere, { idempotencyKey: 'k', firstName: 'Grace' });
    expect(theirs.errors).toBeUndefined();
    expect(await countCustomers(elsewhere)).toBe(1);
  });

  it('keep nothing for a failed call, and check the key', async () => {
    const company = await newCompany(env);
    // Refused before any write, and refused inside the transaction (no such customer).
    expect(violatedFields(await create(company, { idempotencyKey: 'f', phone: 'nope' }))).toEqual([
      'input.phone',
    ]);
    const missing = await company.gql(APPEND_NOTES, {
      input: { idempotencyKey: 'g', customerId: 'cus_missing', notes: [{ note: 'x' }] },
    });
    expectCode(missing, 'NOT_FOUND');
    expect(await keys(company.id)).toEqual([]);
    expect((await create(company, { idempotencyKey: 'f' })).errors).toBeUndefined();
    expect((await create(company, { idempotencyKey: 'g' })).errors).toBeUndefined();

    expect(violatedFields(await create(company, { idempotencyKey: '' }))).toEqual([
      'input.idempotencyKey',
    ]);
    expect(violatedFields(await create(company, { idempotencyKey: 'x'.repeat(256) }))).toEqual([
      'input.idempotencyKey',
    ]);
    expect((await create(company, { idempotencyKey: 'x'.repeat(255) })).errors).toBeUndefined();
    expect(await countCustomers(company)).toBe(3);
  });

  it('answer retries of appendCustomerNotes and appendCustomerTags with the same notes and tags', async () => {
    const company = await newCompany(env);
    const id = (await create(company, {})).data!.createCustomer.customer.id;
    const notes = { idempotencyKey: 'n', customerId: id, notes: [{ note: 'A' }, { note: 'B' }] };
    const first = await company.gql<{ appendCustomerNotes: { notes: { id: string }[] } }>(
      APPEND_NOTES,
      { input: notes },
    );
    expect(first.errors).toBeUndefined();
    const again = await company.gql<{ appendCustomerNotes: { notes: { id: string }[] } }>(
      APPEND_NOTES,
      { input: notes },
    );
    expect(again.data).toEqual(first.data);

    const tags = { idempotencyKey: 't', customerId: id, tags: [{ name: 'VIP' }, { name: 'Cat' }] };
    const tagged = await company.gql(APPEND_TAGS, { input: tags });
    expect(tagged.errors).toBeUndefined();
    const retagged = await company.gql(APPEND_TAGS, { input: tags });
    expect(retagged.data).toEqual(tagged.data);

    const after = await company.gql<{
      customer: { version: number; notes: { totalCount: number } };
    }>(NOTES, { id });
    expect(after.data?.customer).toEqual({ version: 3, notes: { totalCount: 2 } });
    // A key of one mutation is not another's.
    const crossed = await company.gql(APPEND_TAGS, { input: { ...tags, idempotencyKey: 'n' } });
    expect(violatedFields(crossed)).toEqual(['input.idempotencyKey']);
  });

  it('make one card-on-file link per key, and refuse to show its token again', async () => {
    const company = await newCompany(env);
    const id = (await create(company, {})).data!.createCustomer.customer.id;
    const LINK = `mutation($input: GenerateCustomerCofLinkInput!) { generateCustomerCofLink(input: $input) { link } }`;
    const first = await company.gql<{ generateCustomerCofLink: { link: string } }>(LINK, {
      input: { idempotencyKey: 'card', customerId: id },
    });
    expect(first.errors).toBeUndefined();
    const again = await company.gql(LINK, { input: { idempotencyKey: 'card', customerId: id } });
    expect(expectCode(again, 'FAILED_PRECONDITION').message).toMatch(/new idempotencyKey/);
    // The first link was not revoked by the retry, and the stored result holds no token.
    const links = rowsOf<{ n: string | number }>(
      await env.store.db.execute(
        sql`select count(*) as n from cof_links where company_id = ${company.id} and revoked_time is null`,
      ),
    );
    expect(Number(links[0]?.n)).toBe(1);
    const token = first.data!.generateCustomerCofLink.link.split('/').at(-1)!;
    expect(JSON.stringify(await keys(company.id))).not.toContain(token);
    const page = await env.app.fetch(new Request(first.data!.generateCustomerCofLink.link));
    expect(page.status).toBe(200);
  });

  it('expire after 24 hours, and are pruned', async () => {
    let now = Date.parse('2026-06-01T10:00:00Z');
    const app = await env.makeApp({ clock: () => new Date(now) });
    const company = await newCompany(env);
    const call = (input: Record<string, unknown>) =>
      company.gql<Created>(CREATE, { input: minimalInput(company.id, input) }, { app });
    const first = await call({ idempotencyKey: 'day' });
    now += 23 * 60 * 60 * 1000;
    const within = await call({ idempotencyKey: 'day' });
    expect(within.data?.createCustomer.customer.id).toBe(first.data?.createCustomer.customer.id);
    now += 2 * 60 * 60 * 1000;
    const later = await call({ idempotencyKey: 'day', firstName: 'Grace' });
    expect(later.errors).toBeUndefined();
    expect(later.data?.createCustomer.customer.id).not.toBe(first.data?.createCustomer.customer.id);
    expect(await countCustomers(company)).toBe(2);

    const { eventRetention } = await import('../src/services/event-retention.js');
    now += 25 * 60 * 60 * 1000;
    const pruned = await eventRetention(env.appDb, {
      retentionDays: 30,
      clock: () => new Date(now),
    }).pruneKeys();
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await keys(company.id)).toEqual([]);
  });

  it.runIf(isPostgres)(
    'answer ABORTED at once while the first call with the key still runs',
    async () => {
      const company = await newCompany(env);
      const other = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      try {
        // Another session holds the key in a transaction it has not ended: a first call running.
        const reserved = other.reserve();
        const session = await reserved;
        await session`begin`;
        await session`insert into idempotency_keys (company_id, key, operation, request_hash, created_time) values (${company.id}, 'held', 'createCustomer', 'x', now())`;
        const started = Date.now();
        const response = await create(company, { idempotencyKey: 'held' });
        const ms = Date.now() - started;
        expect(expectCode(response, 'ABORTED').message).toMatch(/still running/);
        expect(ms).toBeLessThan(2_000);
        await session`rollback`;
        session.release();
        // Once it ended without keeping the key, the call runs.
        expect((await create(company, { idempotencyKey: 'held' })).errors).toBeUndefined();
        expect(await countCustomers(company)).toBe(1);
      } finally {
        await other.end();
      }
    },
  );

  it.runIf(isPostgres)('make one customer of 20 identical calls at once', async () => {
    const company = await newCompany(env);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => create(company, { idempotencyKey: 'race' })),
    );
    const ids = new Set<string>();
    let aborted = 0;
    for (const response of responses) {
      if (response.errors) {
        expect(expectCode(response, 'ABORTED').message).toMatch(/still running/);
        aborted += 1;
      } else {
        ids.add(response.data!.createCustomer.customer.id);
      }
    }
    console.log(JSON.stringify({ answered: 20 - aborted, aborted }));
    expect(ids.size).toBe(1);
    expect(aborted).toBeLessThan(20);
    expect(await countCustomers(company)).toBe(1);
  });
});
