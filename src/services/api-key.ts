// API keys (auth/api-key.ts): shown once at creation, then only their hash is kept. Not
// tenant-bound: operators manage them.
import { generateApiKey, hashApiKey } from '../auth/api-key.js';
import { isScope, SCOPES } from '../auth/principal.js';
import type { ApiKeyRow } from '../db/schema.js';
import { NotFound, Violations } from '../errors.js';
import { newId } from '../lib/ids.js';
import type { ApiKeyRepository } from '../repositories/api-key.js';
import { identifier, optionalText } from './validate.js';

export interface NewApiKey {
  companyId: string;
  scopes: readonly string[];
  name?: string;
}

export function apiKeyService(keys: ApiKeyRepository) {
  return {
    /** Creates a key; the plain key is returned here and never again. */
    async create(input: NewApiKey): Promise<{ key: string; row: ApiKeyRow }> {
      const v = new Violations();
      const companyId = identifier(v, 'company', input.companyId);
      const name = optionalText(v, 'name', input.name ?? '', 100);
      if (input.scopes.length === 0)
        v.add('scopes', `must name at least one of ${SCOPES.join(', ')}`);
      for (const scope of input.scopes) {
        if (!isScope(scope))
          v.add('scopes', `unknown scope "${scope}" (known: ${SCOPES.join(', ')})`);
      }
      v.throwIfAny();
      const key = generateApiKey();
      const row = await keys.insert({
        id: newId('apiKey'),
        companyId: companyId!,
        name: name ?? 'unnamed',
        scopes: [...new Set(input.scopes)],
        keyHash: hashApiKey(key),
      });
      return { key, row };
    },

    async revoke(id: string): Promise<ApiKeyRow> {
      const row = await keys.revoke(id);
      if (!row) throw new NotFound('Active API key', id);
      return row;
    },

    list: (companyId?: string) => keys.list(companyId),

    /** The key's row when the plain key is active. */
    findActive: (key: string) => keys.findActiveByHash(hashApiKey(key)),
  };
}

export type ApiKeyService = ReturnType<typeof apiKeyService>;
