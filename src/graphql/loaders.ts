// Every DataLoader of a request, built from the request's tenant repositories on first use and
// kept on the request's context (ctx.loaders), so that no cache crosses requests or companies.
//
// They hang off the context object itself, not off a module-level WeakMap keyed by the context
// (as @pothos/plugin-dataloader and Pothos' createContextCache keep them): V8's young-generation
// collector keeps a WeakMap's values alive as long as the map lives, and a loader reaches its whole
// request (repositories, cached rows). Kept on the context, they die with the request
// (test/memory.test.ts; docs/performance.md has the measurements).
import DataLoader from 'dataloader';
import type {
  AddressRow,
  ComplianceChangeRow,
  CustomerEventRow,
  CustomerRow,
  NoteRow,
  ReferralSourceRow,
  TagRow,
} from '../db/schema.js';
import { Violations } from '../errors.js';
import { groupByKeys, orderByKeys } from '../lib/batch.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { type IdKind, isIdOf } from '../lib/ids.js';
import { lazyObjects } from '../lib/lazy.js';
import { type Page, type PageArgs, pageRequest, toPage } from '../lib/page.js';
import type { Repositories } from '../repositories/index.js';

/** The most keys one statement is asked for (`= any($1)` with at most this many IDs). */
const MAX_BATCH = 500;

/**
 * Runs a batch in a span of its own (`load customer`, with its size), with repositories whose
 * statements are its children: a traced request's (context.ts).
 */
export type BatchTracing = <T>(
  name: string,
  size: number,
  work: (repos: Repositories) => Promise<T>,
) => Promise<T>;

/** What a request's loaders read from: its repositories, and its batches' spans when traced. */
export interface LoaderSource {
  repos: Repositories;
  batches?: BatchTracing | undefined;
}

type Batch<V> = (keys: readonly string[], repos: Repositories) => Promise<readonly (V | Error)[]>;

/** A loader whose batches are spans (`load customers`) when the request is traced. */
const loader = <V>(source: LoaderSource, name: string, batch: Batch<V>) => {
  const { repos, batches } = source;
  return new DataLoader<string, V>(
    batches
      ? (keys) => batches(name, keys.length, (traced) => batch(keys, traced))
      : (keys) => batch(keys, repos),
    { maxBatchSize: MAX_BATCH },
  );
};

type Find<V> = (repos: Repositories, keys: readonly string[]) => Promise<V[]>;

/** Rows by ID, in key order; null where absent, in another company, or not an ID of `kind`. */
const byId = <V extends { id: string }>(source: LoaderSource, kind: IdKind, find: Find<V>) =>
  loader<V | null>(source, kind, async (ids, repos) => {
    const wanted = ids.filter((id) => isIdOf(kind, id));
    return orderByKeys(ids, wanted.length > 0 ? await find(repos, wanted) : [], (row) => row.id);
  });

/** The rows of each customer, in key order (rows keep the repository's order). */
const ofCustomers = <V extends { customerId: string }>(
  source: LoaderSource,
  name: string,
  find: Find<V>,
) =>
  loader<V[]>(source, name, async (ids, repos) =>
    groupByKeys(ids, await find(repos, ids), (row) => row.customerId),
  );

/** A list of rows per customer, newest first, as a repository serves it for many customers. */
interface PerCustomerList<T> {
  rows(
    customerIds: readonly string[],
    limit: number,
    after: ReadonlyMap<string, KeysetPosition>,
  ): Promise<T[]>;
  counts(customerIds: readonly string[]): Promise<{ customerId: string; n: number }[]>;
  sortTime(row: T): string;
}

/** The per-customer lists that are paginated, and the rows of their pages. */
export interface PagedLists {
  notes: NoteRow;
  complianceHistory: ComplianceChangeRow;
  history: CustomerEventRow;
}

/** A loader of one page per customer, one per list and argument set. */
export type PageLoaders = <K extends keyof PagedLists>(
  list: K,
  args: PageArgs,
) => DataLoader<string, Page<PagedLists[K]>>;

/**
 * Per-customer paging, in one place: one page per customer for a whole batch of customers in one
 * statement (the repositories' LATERAL join), each page with cursors bound to its list, company
 * and customer. A customer whose arguments are invalid (an `after` made for another customer)
 * gets its error alone. totalCount is batched too.
 */
/** The paged lists, as `repos` serve them. */
const pagedLists = (
  repos: Repositories,
): { [K in keyof PagedLists]: PerCustomerList<PagedLists[K]> } => ({
  notes: {
    rows: repos.notes.pageByCustomerIds,
    counts: repos.notes.countByCustomerIds,
    sortTime: (note) => note.createdTime,
  },
  complianceHistory: {
    rows: repos.compliance.pageByCustomerIds,
    counts: repos.compliance.countByCustomerIds,
    sortTime: (change) => change.changedTime,
  },
  history: {
    rows: repos.events.historyByCustomerIds,
    counts: repos.events.countByCustomerIds,
    sortTime: (event) => event.occurredTime,
  },
});

function pageLoaders(source: LoaderSource): PageLoaders {
  const scopeOf = (list: keyof PagedLists, customerId: string) =>
    [list, source.repos.companyId, customerId, 'time desc,id desc'].join('|');

  const counters = new Map<keyof PagedLists, DataLoader<string, number>>();
  const countOf = (list: keyof PagedLists, customerId: string) => {
    let counter = counters.get(list);
    if (!counter) {
      counter = loader(source, `${list} count`, async (customerIds, repos) => {
        const rows = await pagedLists(repos)[list].counts(customerIds);
        const byId = new Map(rows.map((row) => [row.customerId, row.n]));
        return customerIds.map((id) => byId.get(id) ?? 0);
      });
      counters.set(list, counter);
    }
    return counter.load(customerId);
  };

  async function pages<T extends { id: string; customerId: string }>(
    name: keyof PagedLists,
    list: PerCustomerList<T>,
    customerIds: readonly string[],
    args: PageArgs,
  ): Promise<(Page<T> | Error)[]> {
    const requests = customerIds.map((customerId) => {
      try {
        return pageRequest(scopeOf(name, customerId), args, new Violations());
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
    const rows = valid.length > 0 ? await list.rows(valid, args.first + 1, after) : [];
    const grouped = groupByKeys(customerIds, rows, (row) => row.customerId);
    return customerIds.map((customerId, i) => {
      const request = requests[i]!;
      if (request instanceof Error) return request;
      return toPage(scopeOf(name, customerId), request, grouped[i] ?? [], list.sortTime, () =>
        countOf(name, customerId),
      );
    });
  }

  // Aliases with the same arguments share one loader, and so one statement.
  const made = new Map<string, DataLoader<string, unknown>>();
  return <K extends keyof PagedLists>(name: K, args: PageArgs) => {
    const key = `${name} ${args.first} ${args.after ?? ''}`;
    let loaderOfPages = made.get(key);
    if (!loaderOfPages) {
      loaderOfPages = loader(source, `${name} page`, (customerIds, repos) =>
        pages(name, pagedLists(repos)[name] as PerCustomerList<PagedLists[K]>, customerIds, args),
      );
      made.set(key, loaderOfPages);
    }
    return loaderOfPages as DataLoader<string, Page<PagedLists[K]>>;
  };
}

export interface Loaders {
  /** Customers by ID, deleted ones included. */
  readonly customers: DataLoader<string, CustomerRow | null>;
  /** Notes by ID. */
  readonly notes: DataLoader<string, NoteRow | null>;
  /** Catalog tags by ID. */
  readonly tags: DataLoader<string, TagRow | null>;
  /** Change events by ID. */
  readonly events: DataLoader<string, CustomerEventRow | null>;
  /** Referral sources by ID. */
  readonly referralSources: DataLoader<string, ReferralSourceRow | null>;
  /** The addresses of each customer, PRIMARY first. */
  readonly addressesOfCustomers: DataLoader<string, AddressRow[]>;
  /** The tags applied to each customer, ordered by name. */
  readonly tagsOfCustomers: DataLoader<string, TagRow[]>;
  /** How many customers (not archived) carry each tag. */
  readonly tagCustomerCounts: DataLoader<string, number>;
  /** Pages of a customer's notes, compliance history or change events. */
  readonly pages: PageLoaders;
  /** New loaders on the same repositories, for reads after a write (see schema afterWrite). */
  readonly renewed: () => Loaders;
}

/** A request's loaders, each made when first used. */
export const createLoaders: (source: LoaderSource) => Loaders = lazyObjects<LoaderSource, Loaders>({
  customers: (s) => byId(s, 'customer', (r, ids) => r.customers.findByIds(ids)),
  notes: (s) => byId(s, 'note', (r, ids) => r.notes.findByIds(ids)),
  tags: (s) => byId(s, 'tag', (r, ids) => r.tags.findByIds(ids)),
  events: (s) => byId(s, 'event', (r, ids) => r.events.findByIds(ids)),
  referralSources: (s) => byId(s, 'referralSource', (r, ids) => r.referralSources.findByIds(ids)),
  addressesOfCustomers: (s) =>
    ofCustomers(s, 'addresses', (r, ids) => r.addresses.listByCustomerIds(ids)),
  tagsOfCustomers: (s) =>
    ofCustomers(s, 'customer tags', (r, ids) => r.tags.listByCustomerIds(ids)),
  tagCustomerCounts: (s) =>
    loader<number>(s, 'tag customer counts', async (tagIds, repos) => {
      const counts = new Map(
        (await repos.tags.customerCounts(tagIds)).map((row) => [row.tagId, row.n]),
      );
      return tagIds.map((id) => counts.get(id) ?? 0);
    }),
  pages: pageLoaders,
  renewed: (s) => () => createLoaders(s),
});
