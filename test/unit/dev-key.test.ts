// The development key is kept per database: switching between two databases finds each one's key
// again (no new key printed per switch, none orphaned), and a file of the earlier one-key form
// still serves the database that holds its key.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDevKey } from '../../src/auth/dev-key.js';
import type { ApiKeyService } from '../../src/services/api-key.js';

/** A database's API keys, in memory. */
function keysOfOneDatabase() {
  const stored = new Map<string, { id: string; companyId: string }>();
  let n = 0;
  const service = {
    create: async ({ companyId }: { companyId: string }) => {
      n += 1;
      const key = `ck_${String(n).padStart(40, '0')}`;
      const row = { id: `key_${n}`, companyId };
      stored.set(key, row);
      return { key, row };
    },
    findActive: async (key: string) => stored.get(key) ?? null,
  } as unknown as ApiKeyService;
  return { service, created: () => n };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the development key', () => {
  it('is kept per database, so switching back and forth makes no new key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-key-'));
    dirs.push(dir);
    const file = join(dir, 'dev-api-key.json');
    const a = keysOfOneDatabase();
    const b = keysOfOneDatabase();
    const first = await ensureDevKey(a.service, file, 'pglite:/a');
    const second = await ensureDevKey(b.service, file, 'postgres://postgres@127.0.0.1:5432/test');
    const againA = await ensureDevKey(a.service, file, 'pglite:/a');
    const againB = await ensureDevKey(b.service, file, 'postgres://postgres@127.0.0.1:5432/test');
    expect(first.created && second.created).toBe(true);
    expect(againA).toEqual({ key: first.key, created: false });
    expect(againB).toEqual({ key: second.key, created: false });
    expect(a.created() + b.created()).toBe(2);
  });

  it('takes over a file of the one-key form for the database holding its key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-key-'));
    dirs.push(dir);
    const file = join(dir, 'dev-api-key.json');
    const a = keysOfOneDatabase();
    const { key } = await a.service.create({ companyId: 'cmp_001', scopes: [], name: 'x' });
    writeFileSync(file, JSON.stringify({ id: 'key_1', companyId: 'cmp_001', key }));
    expect(await ensureDevKey(a.service, file, 'pglite:/a')).toEqual({ key, created: false });
    expect(JSON.parse(readFileSync(file, 'utf8')).databases['pglite:/a'].key).toBe(key);
  });
});
