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
import { tracedBatch } from '../lib/tracing.js';
import type { Repositories } from '../repositories/index.js';

/** The most keys one statement is asked for (`= any($1)` with at most this many IDs). */
const MAX_BATCH = 500;

type Batch<V> = (keys: readonly string[]) => Promise<readonly (V | Error)[]>;

/** A loader whose batches are spans (`load customers`) when tracing is on. */
const loader = <V>(name: string, batch: Batch<V>) =>
  new DataLoader<string, V>((keys) => tracedBatch(name, keys.length, () => batch(keys)), {
    maxBatchSize: MAX_BATCH,
  });

/** Rows by ID, in key order; null where absent, in another company, or not an ID of `kind`. */
const byId = <V extends { id: string }>(
  kind: IdKind,
  find: (ids: readonly string[]) => Promise<V[]>,
) =>
  loader<V | null>(kind, async (ids) => {
    const wanted = ids.filter((id) => isIdOf(kind, id));
    return orderByKeys(ids, wanted.length > 0 ? await find(wanted) : [], (row) => row.id);
  });

/** The rows of each customer, in key order (rows keep the repository's order). */
const ofCustomers = <V extends { customerId: string }>(
  name: string,
  find: (customerIds: readonly string[]) => Promise<V[]>,
) => loader<V[]>(name, async (ids) => groupByKeys(ids, await find(ids), (row) => row.customerId));

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
function pageLoaders(repos: Repositories): PageLoaders {
  const lists: { [K in keyof PagedLists]: PerCustomerList<PagedLists[K]> } = {
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
  };
  const scopeOf = (list: keyof PagedLists, customerId: string) =>
    [list, repos.companyId, customerId, 'time desc,id desc'].join('|');

  const counters = new Map<keyof PagedLists, DataLoader<string, number>>();
  const countOf = (list: keyof PagedLists, customerId: string) => {
    let counter = counters.get(list);
    if (!counter) {
      counter = loader(`${list} count`, async (customerIds) => {
        const rows = await lists[list].counts(customerIds);
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
      const list = lists[name] as PerCustomerList<PagedLists[K]>;
      loaderOfPages = loader(`${name} page`, (customerIds) => pages(name, list, customerIds, args));
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
export const createLoaders: (repos: Repositories) => Loaders = lazyObjects<Repositories, Loaders>({
  customers: (repos) => byId('customer', repos.customers.findByIds),
  notes: (repos) => byId('note', repos.notes.findByIds),
  tags: (repos) => byId('tag', repos.tags.findByIds),
  events: (repos) => byId('event', repos.events.findByIds),
  referralSources: (repos) => byId('referralSource', repos.referralSources.findByIds),
  addressesOfCustomers: (repos) => ofCustomers('addresses', repos.addresses.listByCustomerIds),
  tagsOfCustomers: (repos) => ofCustomers('customer tags', repos.tags.listByCustomerIds),
  tagCustomerCounts: (repos) =>
    loader<number>('tag customer counts', async (tagIds) => {
      const counts = new Map(
        (await repos.tags.customerCounts(tagIds)).map((row) => [row.tagId, row.n]),
      );
      return tagIds.map((id) => counts.get(id) ?? 0);
    }),
  pages: pageLoaders,
  renewed: (repos) => () => createLoaders(repos),
});
