// Outside production, the server makes sure a development API key for the demo company exists,
// so that a newcomer can run the seed's flow in GraphiQL at once. Its plain text is kept in a
// local file (only the hash is in the database), so that it is created once, not per start.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ApiKeyService } from '../services/api-key.js';
import { SCOPES } from './principal.js';

/** The seed's examples use this company, so they run verbatim with the development key. */
const DEMO_COMPANY_ID = 'cmp_001';

export async function ensureDevKey(
  keys: ApiKeyService,
  file: string | null,
): Promise<{ key: string; created: boolean }> {
  if (file !== null) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown };
      if (typeof saved.key === 'string' && (await keys.findActive(saved.key))) {
        return { key: saved.key, created: false };
      }
    } catch {
      // No file yet, or an unreadable one: make a new key.
    }
  }
  const { key, row } = await keys.create({
    companyId: DEMO_COMPANY_ID,
    scopes: [...SCOPES],
    name: 'development key (created by npm start)',
  });
  if (file !== null) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ id: row.id, companyId: row.companyId, key }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
  }
  return { key, created: true };
}
