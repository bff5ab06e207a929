// npm run seed: loads the benchmark data set into the configured database, in bulk.
//   10 companies com_00..com_09: com_00 holds --first customers (50,000), the others share the
//   rest of --customers (100,000 in all); each customer has 1 primary address, --notes notes and
//   --tags tags from a per-company catalog. Deterministic: the same IDs and data on every run;
//   a company that already holds its customers is left as it is.
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../config.js';
import { openStore } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { seedCompany } from '../db/seed.js';
import { rowsOf } from '../repositories/sql.js';

const { values } = parseArgs({
  options: {
    companies: { type: 'string', default: '10' },
    customers: { type: 'string', default: '100000' },
    first: { type: 'string', default: '50000' },
    notes: { type: 'string', default: '5' },
    tags: { type: 'string', default: '3' },
    parallel: { type: 'string', default: '4' },
  },
});

const count = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`--${name} must be a whole number`);
  return value;
};

async function main() {
  const companies = count('companies');
  const total = count('customers');
  const first = Math.min(count('first'), total);
  const rest = companies > 1 ? Math.floor((total - first) / (companies - 1)) : 0;
  const plan = Array.from({ length: companies }, (_, i) => ({
    companyId: `com_${String(i).padStart(2, '0')}`,
    customers:
      i === 0 ? first : i === companies - 1 ? total - first - rest * (companies - 2) : rest,
  }));

  // Bulk inserts of 50,000 rows run far longer than a request may.
  const config = loadConfig({ ...process.env, REQUEST_TIMEOUT_MS: '600000' });
  const store = await openStore(config.database);
  await migrate(store);
  const started = performance.now();
  let loaded = 0;
  const queue = [...plan];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [existing] = rowsOf<{ n: number }>(
        await store.db.execute(
          sql`select count(*)::int as n from customers where company_id = ${next.companyId} and created_by = 'seed'`,
        ),
      );
      if ((existing?.n ?? 0) >= next.customers) {
        process.stdout.write(`${next.companyId}: ${existing?.n} customers already there\n`);
        continue;
      }
      const t = performance.now();
      await seedCompany(store.db, {
        companyId: next.companyId,
        customers: next.customers,
        notesPerCustomer: count('notes'),
        tagsPerCustomer: count('tags'),
      });
      loaded += next.customers;
      process.stdout.write(
        `${next.companyId}: ${next.customers} customers in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
      );
    }
  };
  const parallel = store.driver.kind === 'pglite' ? 1 : Math.max(1, count('parallel'));
  await Promise.all(Array.from({ length: parallel }, worker));
  // Fresh statistics, so that the planner knows the new rows before autovacuum gets to them.
  if (loaded > 0) await store.db.execute(sql`analyze`);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`loaded ${loaded} customers in ${seconds.toFixed(1)} s\n`);
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`seed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
