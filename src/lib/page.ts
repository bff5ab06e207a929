// Keyset pages served as Relay connections: `first` (1..500) and an opaque `after` cursor bound
// to its list (lib/cursor.ts), and the page built from the rows a repository returned.
import { Violations } from '../errors.js';
import { decodeCursor, encodeCursor, type KeysetPosition } from './cursor.js';
import { toMicros } from './time.js';

/** The upstream's largest pageSize. */
const MAX_PAGE_SIZE = 500;

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

/** The arguments of every list: `first` (1..500) and an `after` cursor. */
export interface PageArgs {
  first: number;
  after?: string | null;
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
  args: PageArgs,
  v: Violations = new Violations(),
): PageRequest {
  const first = args.first;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    v.add('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  let after: KeysetPosition | null = null;
  if (args.after !== undefined && args.after !== null) {
    const decoded = decodeCursor(args.after, scope);
    if (typeof decoded === 'string') v.add('after', decoded);
    else after = decoded;
  }
  v.throwIfAny();
  return { first, after };
}

/**
 * An edge computes its cursor only when asked: a list whose cursors nobody selects (nested notes,
 * say) costs no cursor at all.
 */
class Edge<T extends { id: string }> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (node: T) => string,
  ) {}

  get cursor(): string {
    return this.cursorOf(this.node);
  }
}

/**
 * Its start and end cursors are computed when read, as an edge's are. A class, not an object
 * literal with getters: a literal's getters are new functions each time, which gives every page a
 * hidden class of its own, and V8 keeps those alive (see lib/lazy.ts).
 */
class PageInfo<T extends { id: string }> {
  readonly #edges: readonly Edge<T>[];

  constructor(
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
    edges: readonly Edge<T>[],
  ) {
    this.#edges = edges;
  }

  get startCursor(): string | null {
    return this.#edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.#edges.at(-1)?.cursor ?? null;
  }
}

export function toPage<T extends { id: string }>(
  scope: string,
  request: PageRequest,
  rows: readonly T[],
  /** The row's sort time, or its integer sort key (a stream position). */
  sortKey: (row: T) => string | number,
  totalCount: () => Promise<number>,
): Page<T> {
  const cursorOf = (node: T) => {
    const key = sortKey(node);
    return encodeCursor(scope, {
      micros: typeof key === 'number' ? key : toMicros(key),
      id: node.id,
    });
  };
  const edges = rows.slice(0, request.first).map((node) => new Edge(node, cursorOf));
  return {
    edges,
    pageInfo: new PageInfo(rows.length > request.first, request.after !== null, edges),
    totalCount,
  };
}
