// What the schema's scope checks cost when every one of them passes: the bench's `list` and `byid`
// documents executed in-process (graphql-jit, as the server runs them) on the checked build and on
// the build without checks, alternating, with the same read+write principal. The figure is why
// graphql/execution.ts runs such documents without the checks.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npx tsx bench/scope-checks.ts
import { type GraphQLSchema, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import postgres from 'postgres';
import { createContext } from '../src/context.js';
import { openStore } from '../src/db/client.js';
import { schema, uncheckedSchema } from '../src/schema/index.js';
import { eventFeed } from '../src/services/event-feed.js';
import { BY_ID, LIST } from './documents.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench';
const COMPANY = 'com_00';
const DOCUMENTS = { list: LIST, byid: BY_ID };
const ROUNDS = 10;

const store = await openStore({ kind: 'postgres', url: DATABASE_URL, poolSize: 4 });
const sql = postgres(DATABASE_URL, { max: 1 });
const ids = (
  await sql<{ id: string }[]>`
  select id from customers where company_id = ${COMPANY} order by id limit 200`
).map((r) => r.id);
await sql.end();

const principal = {
  companyId: COMPANY,
  actorId: 'stf_bench',
  scopes: new Set(['customers:read', 'customers:write']),
};
const origin = { requestId: 'bench', ip: null, userAgent: null };
const deps = {
  db: store.db,
  customerQuota: 1e9,
  clock: () => new Date(),
  publicBaseUrl: 'http://x',
  requestTimeoutMs: 10_000,
  eventFeed: eventFeed(),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const [name, text] of Object.entries(DOCUMENTS)) {
  const compiled = (build: GraphQLSchema) => {
    const query = compileQuery(build, parse(text));
    if (!isCompiledQuery(query)) throw new Error(JSON.stringify(query));
    return query;
  };
  const builds = { checked: compiled(schema), unchecked: compiled(uncheckedSchema) };
  const times = name === 'list' ? 200 : 2000;
  const run = async (which: keyof typeof builds) => {
    const started = process.cpuUsage();
    for (let i = 0; i < times; i += 1) {
      const variables = { companyId: COMPANY, first: 50, id: ids[i % ids.length] };
      const result = await builds[which].query(
        undefined,
        createContext(deps, principal, origin),
        variables,
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000 / times;
  };
  await run('checked');
  await run('unchecked');
  const cpu: Record<keyof typeof builds, number[]> = { checked: [], unchecked: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const which of round % 2
      ? (['checked', 'unchecked'] as const)
      : (['unchecked', 'checked'] as const)) {
      cpu[which].push(await run(which));
    }
  }
  const [checked, unchecked] = [median(cpu.checked), median(cpu.unchecked)];
  process.stdout.write(
    `${name}: checked ${checked.toFixed(3)} CPU ms per execution, without checks ${unchecked.toFixed(3)}: ` +
      `${(checked / unchecked).toFixed(2)}x (median of ${ROUNDS} alternating rounds)\n`,
  );
}
await store.close();
