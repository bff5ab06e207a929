// Every document the server keeps is bounded in bytes, not only in entries: a parsed document
// takes about 64 bytes of heap per character of its text (measured on the bench's list document),
// so Yoga's default cache of 1,024 documents could hold gigabytes of 900 KB documents. The parsed
// documents (and with them, through WeakMaps, their validation results, compiled queries and
// costs) and the parse errors live in LRU caches with a byte budget; a document too large for a
// slice of it is not kept at all. Automatic persisted queries are kept the same way. Anonymous
// requests never reach these: the door (http/authentication.ts) answers them first.
import type { APQStore } from '@graphql-yoga/plugin-apq';
import type { DocumentNode } from 'graphql';
import type { YogaServerOptions } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { SharedDocuments } from '../repositories/persisted-query.js';

type CacheOptions = Exclude<
  YogaServerOptions<object, object>['parserAndValidationCache'],
  boolean | undefined
>;

const MiB = 1024 * 1024;
/** Heap bytes of a parsed document per character of its text. */
const AST_BYTES_PER_CHAR = 64;
const HOUR_MS = 3_600_000;

function byteBounded<V extends object>(maxBytes: number, size: (key: string, value: V) => number) {
  return new LRUCache<string, V>({
    max: 1024,
    maxSize: maxBytes,
    maxEntrySize: maxBytes / 16,
    sizeCalculation: (value, key) => Math.max(1, size(key, value)),
    ttl: HOUR_MS,
  });
}

export function documentCaches(): CacheOptions & {
  documentCache: LRUCache<string, DocumentNode>;
} {
  return {
    documentCache: byteBounded<DocumentNode>(
      64 * MiB,
      (key) => key.length * (2 + AST_BYTES_PER_CHAR),
    ),
    errorCache: byteBounded<object>(8 * MiB, (key) => key.length * 2 + 1024),
  };
}

/**
 * The persisted documents (Apollo's APQ), by hash: 16 MiB of document text at most in this
 * process, in front of the store every process shares (`shared`: PostgreSQL or Redis), so that a
 * document registered on one replica is served by hash on the next. A shared store that fails
 * makes a hash unknown, which the APQ protocol answers by asking the client for the document.
 */
export function persistedQueryStore(shared?: SharedDocuments): APQStore {
  const cache = new LRUCache<string, string>({
    max: 1000,
    maxSize: 16 * MiB,
    maxEntrySize: MiB,
    sizeCalculation: (query, hash) => (query.length + hash.length) * 2,
    ttl: HOUR_MS,
  });
  return {
    get: async (hash) => {
      const kept = cache.get(hash);
      if (kept !== undefined || !shared) return kept;
      const query = await shared.get(hash).catch(() => null);
      if (query !== null) cache.set(hash, query);
      return query ?? undefined;
    },
    set: async (hash, query) => {
      cache.set(hash, query);
      await shared?.set(hash, query).catch(() => undefined);
    },
  };
}
