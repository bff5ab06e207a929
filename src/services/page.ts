import { Violations } from '../errors.js';
import { decodeCursor, encodeCursor, type KeysetPosition } from '../lib/cursor.js';
import { toMicros } from '../lib/time.js';
import { pageSize } from './validate.js';

/** One page of a keyset-paginated list, ready to be served as a Relay connection. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  /** Counts the whole list; only called when a client selects totalCount. */
  totalCount: () => Promise<number>;
}

export interface PageRequest {
  first: number;
  after: KeysetPosition | null;
}

/**
 * Validates `first` and decodes `after` against the list's scope, reporting both at once.
 * The repository is asked for first + 1 rows: the extra one only tells whether a next page exists.
 */
export function pageRequest(
  scope: string,
  args: { first: number; after?: string | null },
  v: Violations = new Violations(),
): PageRequest {
  const first = pageSize(v, 'first', args.first);
  let after: KeysetPosition | null = null;
  if (args.after !== undefined && args.after !== null) {
    const decoded = decodeCursor(args.after, scope);
    if (typeof decoded === 'string') v.add('after', decoded);
    else after = decoded;
  }
  v.throwIfAny();
  return { first, after };
}

export function toPage<T extends { id: string }>(
  scope: string,
  request: PageRequest,
  rows: readonly T[],
  sortTime: (row: T) => string,
  totalCount: () => Promise<number>,
): Page<T> {
  const nodes = rows.slice(0, request.first);
  const edges = nodes.map((node) => ({
    node,
    cursor: encodeCursor(scope, { micros: toMicros(sortTime(node)), id: node.id }),
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > request.first,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
