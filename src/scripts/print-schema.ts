// npm run schema: writes schema.graphql and subgraph.graphql (the federation subgraph) from the
// code.
// npm run schema:check: fails when either is stale, when the subgraph no longer composes with the
// sample subgraph of test/fixtures (@theguild/federation-composition, as a gateway would), or when
// the schema breaks clients of the base branch's schema without saying why in schema-changes.md.
//   --base FILE   the schema to compare with (default: `git show origin/main:schema.graphql`,
//                 or SCHEMA_BASE_REF=<ref> for another branch)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { composeServices } from '@theguild/federation-composition';
import { buildSchema, parse, printSchema } from 'graphql';
import { sortedSchema, subgraphSdl } from '../schema/index.js';
import { changeKey, reviewSchemaChanges } from './schema-changes.js';

const root = new URL('../../', import.meta.url);
const schemaFile = new URL('schema.graphql', root);
const changesFile = new URL('schema-changes.md', root);
const subgraphFile = new URL('subgraph.graphql', root);
const sampleSubgraph = new URL('test/fixtures/appointments.subgraph.graphql', root);
const printed = `${printSchema(sortedSchema)}\n`;

const { values: args } = parseArgs({
  options: { check: { type: 'boolean', default: false }, base: { type: 'string' } },
});

const out = (line: string) => process.stdout.write(`${line}\n`);

/** The base branch's schema, or null (with the reason) when there is none to compare with. */
function baseSchema(): { sdl: string; from: string } | { sdl: null; why: string } {
  if (args.base) return { sdl: readFileSync(args.base, 'utf8'), from: args.base };
  const ref = process.env.SCHEMA_BASE_REF || 'origin/main';
  try {
    const sdl = execFileSync('git', ['show', `${ref}:schema.graphql`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { sdl, from: `${ref}:schema.graphql` };
  } catch {
    return { sdl: null, why: `${ref} has no schema.graphql (or is not a git ref here)` };
  }
}

async function check() {
  let failed = false;
  if (readFileSync(schemaFile, 'utf8') !== printed) {
    process.stderr.write('schema.graphql is stale: run `npm run schema` and commit it.\n');
    failed = true;
  } else {
    out('schema.graphql is up to date.');
  }
  if (!existsSync(subgraphFile) || readFileSync(subgraphFile, 'utf8') !== subgraphSdl) {
    process.stderr.write('subgraph.graphql is stale: run `npm run schema` and commit it.\n');
    failed = true;
  } else {
    out('subgraph.graphql is up to date.');
  }
  const composed = composeServices([
    { name: 'customers', typeDefs: parse(subgraphSdl), url: 'http://customers/graphql/subgraph' },
    {
      name: 'appointments',
      typeDefs: parse(readFileSync(sampleSubgraph, 'utf8')),
      url: 'http://appointments/graphql',
    },
  ]);
  if (composed.errors?.length) {
    process.stderr.write(
      `The subgraph does not compose with test/fixtures/appointments.subgraph.graphql:\n${composed.errors.map((e) => `  ${e.message}`).join('\n')}\n`,
    );
    failed = true;
  } else {
    out('subgraph.graphql composes with the sample subgraph.');
  }

  const base = baseSchema();
  if (base.sdl === null) {
    out(`No base schema to compare with: ${base.why}. Give one with --base FILE.`);
  } else {
    const changesMarkdown = existsSync(changesFile) ? readFileSync(changesFile, 'utf8') : '';
    // SDL against SDL: the built schema also carries the AST of its stitching directives.
    const review = await reviewSchemaChanges(base.sdl, buildSchema(printed), changesMarkdown);
    out(
      `Against ${base.from}: ${review.unlisted.length + review.listed.length} breaking, ` +
        `${review.dangerous.length} dangerous, ${review.safe.length} safe changes.`,
    );
    for (const change of review.listed)
      out(`  breaking (listed in schema-changes.md): ${change.message}`);
    for (const change of review.dangerous) out(`  dangerous: ${change.message}`);
    if (review.unlisted.length > 0) {
      process.stderr.write(
        [
          'Breaking changes not listed in schema-changes.md (add "- `path`: reason" for each):',
          ...review.unlisted.map((change) => `  \`${changeKey(change)}\`: ${change.message}`),
          '',
        ].join('\n'),
      );
      failed = true;
    }
  }
  if (failed) process.exit(1);
}

if (args.check) {
  await check();
} else {
  writeFileSync(schemaFile, printed);
  writeFileSync(subgraphFile, subgraphSdl);
  out('wrote schema.graphql and subgraph.graphql');
}
