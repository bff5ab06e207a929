// Outside production, the server makes sure a development API key for the demo company exists,
// so that a newcomer can run the seed's flow in GraphiQL at once. Its plain text is kept in a
// local file (only the hash is in the database), one key per database, so that it is created once
// per database, not per start, and switching DATABASE_URL back and forth finds each database's
// key again instead of printing a new one.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ApiKeyService } from '../services/api-key.js';
import { SCOPES } from './principal.js';

/** The seed's examples use this company, so they run verbatim with the development key. */
const DEMO_COMPANY_ID = 'cmp_001';

interface SavedKey {
  id: string;
  companyId: string;
  key: string;
}

/** The file's keys by database; a file of the earlier one-key form counts for every database. */
function readSaved(file: string): { byDatabase: Record<string, SavedKey>; legacy: string | null } {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      key?: unknown;
      databases?: Record<string, SavedKey>;
    };
    return {
      byDatabase: saved.databases ?? {},
      legacy: typeof saved.key === 'string' ? saved.key : null,
    };
  } catch {
    // No file yet, or an unreadable one.
    return { byDatabase: {}, legacy: null };
  }
}

export async function ensureDevKey(
  keys: ApiKeyService,
  file: string | null,
  database: string,
): Promise<{ key: string; created: boolean }> {
  const saved = file === null ? { byDatabase: {}, legacy: null } : readSaved(file);
  const mine = saved.byDatabase[database]?.key;
  if (mine && (await keys.findActive(mine))) return { key: mine, created: false };
  const legacy = saved.legacy && (await keys.findActive(saved.legacy));
  if (saved.legacy && legacy) {
    const entry = { id: legacy.id, companyId: legacy.companyId, key: saved.legacy };
    if (file !== null) write(file, { ...saved.byDatabase, [database]: entry });
    return { key: saved.legacy, created: false };
  }
  const { key, row } = await keys.create({
    companyId: DEMO_COMPANY_ID,
    scopes: [...SCOPES],
    name: 'development key (created by npm start)',
  });
  if (file !== null) {
    write(file, { ...saved.byDatabase, [database]: { id: row.id, companyId: row.companyId, key } });
  }
  return { key, created: true };
}

/** Replaces the file whole (written aside, then renamed), readable by its owner only. */
function write(file: string, databases: Record<string, SavedKey>): void {
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify({ databases }, null, 2)}\n`, { mode: 0o600 });
  renameSync(aside, file);
}
