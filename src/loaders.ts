// Every DataLoader of a request, made from its services on first use and kept on the request's
// context (ctx.loaders), so that no cache crosses requests or companies.
//
// They hang off the context object itself, not off a module-level WeakMap keyed by the context
// (as @pothos/plugin-dataloader and Pothos' createContextCache keep them): V8's young-generation
// collector keeps a WeakMap's values alive as long as the map lives, and a loader reaches its
// whole request (services, repositories, cached rows). Under load a quarter of every scavenged
// byte survived, scavenges took 7-9 ms and a Mark-Compact followed every second or two; kept on
// the context, the same loaders are garbage as soon as the request is.
import DataLoader from 'dataloader';
import type { Services } from './context.js';
import type {
  AddressRow,
  ComplianceChangeRow,
  CustomerRow,
  NoteRow,
  ReferralSourceRow,
  TagRow,
} from './db/schema.js';
import { orderByKeys } from './lib/batch.js';
import { lazyObjects } from './lib/lazy.js';
import type { Page, PageArgs } from './services/page.js';

/** The most keys one statement is asked for (`= any($1)` with at most this many IDs). */
const MAX_BATCH = 500;

type Batch<V> = (keys: readonly string[]) => Promise<readonly (V | Error)[]>;

const loader = <V>(batch: Batch<V>) =>
  new DataLoader<string, V>(batch, { maxBatchSize: MAX_BATCH });

/** Rows by their ID, in key order; null where absent (or in another company). */
const byId = <V extends { id: string }>(find: (ids: readonly string[]) => Promise<V[]>) =>
  loader<V | null>(async (ids) => orderByKeys(ids, await find(ids), (row) => row.id));

/** The per-customer lists that are paginated, and the rows of their pages. */
interface PagedLists {
  notes: NoteRow;
  complianceHistory: ComplianceChangeRow;
}

/** A loader of one page per customer, one per list and argument set. */
export type PageLoaders = <K extends keyof PagedLists>(
  list: K,
  args: PageArgs,
) => DataLoader<string, Page<PagedLists[K]>>;

function pageLoaders(services: Services): PageLoaders {
  const batches: {
    [K in keyof PagedLists]: (
      customerIds: readonly string[],
      args: PageArgs,
    ) => Promise<(Page<PagedLists[K]> | Error)[]>;
  } = {
    notes: services.notes.pagesForCustomers,
    complianceHistory: services.compliance.historyForCustomers,
  };
  // Aliases with the same arguments share one loader, and so one statement.
  const made = new Map<string, DataLoader<string, unknown>>();
  return <K extends keyof PagedLists>(list: K, args: PageArgs) => {
    const key = `${list} ${args.first} ${args.after ?? ''}`;
    let pages = made.get(key);
    if (!pages) {
      const batch = batches[list];
      pages = loader((customerIds) => batch(customerIds, args));
      made.set(key, pages);
    }
    return pages as DataLoader<string, Page<PagedLists[K]>>;
  };
}

export interface Loaders {
  /** Customers by ID, deleted ones included. */
  readonly customers: DataLoader<string, CustomerRow | null>;
  /** Notes by ID. */
  readonly notes: DataLoader<string, NoteRow | null>;
  /** Catalog tags by ID. */
  readonly tags: DataLoader<string, TagRow | null>;
  /** Referral sources by ID. */
  readonly referralSources: DataLoader<string, ReferralSourceRow | null>;
  /** The addresses of each customer, PRIMARY first. */
  readonly addressesOfCustomers: DataLoader<string, AddressRow[]>;
  /** The tags applied to each customer, ordered by name. */
  readonly tagsOfCustomers: DataLoader<string, TagRow[]>;
  /** Pages of a customer's notes or compliance history. */
  readonly pages: PageLoaders;
}

/** A request's loaders; a write gives the request new ones (see schema/loaders.ts afterWrite). */
export const createLoaders = lazyObjects<Services, Loaders>({
  customers: (services) => byId((ids) => services.customers.findByIds(ids)),
  notes: (services) => byId((ids) => services.notes.findByIds(ids)),
  tags: (services) => byId((ids) => services.tags.findByIds(ids)),
  referralSources: (services) => loader((ids) => services.customers.referralSources(ids)),
  addressesOfCustomers: (services) => loader((ids) => services.addresses.listForCustomers(ids)),
  tagsOfCustomers: (services) => loader((ids) => services.tags.listForCustomers(ids)),
  pages: pageLoaders,
});
