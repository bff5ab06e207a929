import DataLoader from 'dataloader';
import { Violations } from '../errors.js';
import { groupByKeys } from '../lib/batch.js';
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
  sortTime: (row: T) => string,
  totalCount: () => Promise<number>,
): Page<T> {
  const cursorOf = (node: T) =>
    encodeCursor(scope, { micros: toMicros(sortTime(node)), id: node.id });
  const edges = rows.slice(0, request.first).map((node) => new Edge(node, cursorOf));
  return {
    edges,
    pageInfo: new PageInfo(rows.length > request.first, request.after !== null, edges),
    totalCount,
  };
}

export interface PerCustomerSource<T> {
  /** The list's name in cursor scopes, e.g. `notes`. */
  name: string;
  companyId: string;
  fetch(
    customerIds: readonly string[],
    limit: number,
    after: ReadonlyMap<string, KeysetPosition>,
  ): Promise<T[]>;
  count(customerIds: readonly string[]): Promise<{ customerId: string; n: number }[]>;
  sortTime(row: T): string;
}

/**
 * Batched pages of a per-customer list (newest first): one page per customer, one statement for
 * all of them. A customer whose arguments are invalid (an `after` made for another customer)
 * gets its error alone. totalCount is batched too, and never cached, so that a count read after
 * a write in the same request is current.
 */
export function perCustomerPages<T extends { id: string; customerId: string }>(
  source: PerCustomerSource<T>,
) {
  const scopeOf = (customerId: string) =>
    [source.name, source.companyId, customerId, 'time desc,id desc'].join('|');

  let counts: DataLoader<string, number> | undefined;
  const count = (customerId: string) => {
    counts ??= new DataLoader<string, number>(
      async (customerIds) => {
        const rows = await source.count(customerIds);
        const byId = new Map(rows.map((row) => [row.customerId, row.n]));
        return customerIds.map((id) => byId.get(id) ?? 0);
      },
      { cache: false },
    );
    return counts.load(customerId);
  };

  return {
    /** Validates the arguments of one customer's list (INVALID_ARGUMENT). */
    check(customerId: string, args: PageArgs): void {
      pageRequest(scopeOf(customerId), args);
    },

    async load(customerIds: readonly string[], args: PageArgs): Promise<(Page<T> | Error)[]> {
      const requests = customerIds.map((customerId) => {
        try {
          return pageRequest(scopeOf(customerId), args, new Violations());
        } catch (error) {
          return error as Error;
        }
      });
      const after = new Map<string, KeysetPosition>();
      const valid: string[] = [];
      customerIds.forEach((customerId, i) => {
        const request = requests[i];
        if (request instanceof Error) return;
        valid.push(customerId);
        if (request?.after) after.set(customerId, request.after);
      });
      const rows = valid.length > 0 ? await source.fetch(valid, args.first + 1, after) : [];
      const grouped = groupByKeys(customerIds, rows, (row) => row.customerId);
      return customerIds.map((customerId, i) => {
        const request = requests[i]!;
        if (request instanceof Error) return request;
        return toPage(scopeOf(customerId), request, grouped[i] ?? [], source.sortTime, () =>
          count(customerId),
        );
      });
    },
  };
}
