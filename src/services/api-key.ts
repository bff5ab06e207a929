// API keys (auth/api-key.ts): shown once at creation, then only their hash is kept. Not
// tenant-bound: operators manage them.
import { generateApiKey, hashApiKey } from '../auth/api-key.js';
import type { ApiKeyRow } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { newId } from '../lib/ids.js';
import type { ApiKeyRepository } from '../repositories/api-key.js';
import { type NewApiKey, newApiKeyInput, parse } from './input-rules.js';

export function apiKeyService(keys: ApiKeyRepository) {
  return {
    /** Creates a key; the plain key is returned here and never again. */
    async create(input: NewApiKey): Promise<{ key: string; row: ApiKeyRow }> {
      const { companyId, scopes, name } = parse(newApiKeyInput, input, '');
      const key = generateApiKey();
      const row = await keys.insert({
        id: newId('apiKey'),
        companyId,
        name,
        scopes,
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
