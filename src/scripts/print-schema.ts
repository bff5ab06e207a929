// npm run schema: writes schema.graphql from the code. --check: exits 1 when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { sortedSchema } from '../schema/index.js';

const file = new URL('../../schema.graphql', import.meta.url);
const printed = `${printSchema(sortedSchema)}\n`;

if (process.argv.includes('--check')) {
  const committed = readFileSync(file, 'utf8');
  if (committed !== printed) {
    process.stderr.write('schema.graphql is stale: run `npm run schema` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql is up to date.\n');
} else {
  writeFileSync(file, printed);
  process.stdout.write('wrote schema.graphql\n');
}
