import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { listedChanges, reviewSchemaChanges } from '../../src/scripts/schema-changes.js';

const base = /* GraphQL */ `
  enum Status { ACTIVE INACTIVE }
  type Customer { id: ID! email: String legacyField: String status: Status! }
  type Query { customer(id: ID!): Customer }
`;

/** The base without Customer.legacyField: a breaking change. */
const withoutLegacyField = buildSchema(`
  enum Status { ACTIVE INACTIVE }
  type Customer { id: ID! email: String status: Status! }
  type Query { customer(id: ID!): Customer }
`);

describe('schema governance', () => {
  it('fails a breaking change that schema-changes.md does not list', async () => {
    const review = await reviewSchemaChanges(base, withoutLegacyField, '');
    expect(review.unlisted.map((change) => change.path)).toEqual(['Customer.legacyField']);
    expect(review.listed).toEqual([]);
  });

  it('passes it once listed with a reason', async () => {
    const markdown = '# Changes\n\n- `Customer.legacyField`: no client read it in 30 days.\n';
    const review = await reviewSchemaChanges(base, withoutLegacyField, markdown);
    expect(review.unlisted).toEqual([]);
    expect(review.listed.map((change) => change.path)).toEqual(['Customer.legacyField']);
  });

  it('does not take an entry without a reason', () => {
    expect(listedChanges('- `Customer.legacyField`\n- `Customer.email`:   \n').size).toBe(0);
  });

  it('reports dangerous changes and lets safe ones pass', async () => {
    const current = buildSchema(`
      enum Status { ACTIVE INACTIVE ARCHIVED }
      type Customer { id: ID! email: String legacyField: String status: Status! phone: String }
      type Query { customer(id: ID!): Customer }
    `);
    const review = await reviewSchemaChanges(base, current, '');
    expect(review.unlisted).toEqual([]);
    expect(review.dangerous.map((change) => change.path)).toEqual(['Status.ARCHIVED']);
    expect(review.safe.map((change) => change.path)).toEqual(['Customer.phone']);
  });
});

describe('npm run schema:check', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = (args: string[]) =>
    promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      ['src/scripts/print-schema.ts', '--check', ...args],
      {
        cwd: root,
      },
    ).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('fails against a base whose field this schema removed', async () => {
    const committed = readFileSync(join(root, 'schema.graphql'), 'utf8');
    const withExtraField = committed.replace(
      /^type Customer implements Node \{$/m,
      'type Customer implements Node {\n  legacyNickname: String',
    );
    expect(withExtraField).not.toBe(committed);
    const dir = mkdtempSync(join(tmpdir(), 'schema-base-'));
    writeFileSync(join(dir, 'old.graphql'), withExtraField);
    writeFileSync(join(dir, 'same.graphql'), committed);

    const broken = await run(['--base', join(dir, 'old.graphql')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('`Customer.legacyNickname`');

    const same = await run(['--base', join(dir, 'same.graphql')]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('0 breaking, 0 dangerous, 0 safe changes');
  }, 60_000);
});
