// DataLoaders that need more than the dataloader plugin's per-field loaders: a page of a
// per-customer list (notes, compliance history) depends on its arguments, so its loaders are
// keyed by them (aliases with the same arguments share one loader, and so one statement).
// Per request: kept on the context object.
import { createContextCache } from '@pothos/core';
import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import type { ComplianceChangeRow, NoteRow } from '../db/schema.js';
import type { Page, PageArgs } from '../services/page.js';

type PagedList = {
  notes: NoteRow;
  complianceHistory: ComplianceChangeRow;
};

const batchFunctions: {
  [K in keyof PagedList]: (
    ctx: Context,
  ) => (customerIds: readonly string[], args: PageArgs) => Promise<(Page<PagedList[K]> | Error)[]>;
} = {
  notes: (ctx) => ctx.services.notes.pagesForCustomers,
  complianceHistory: (ctx) => ctx.services.compliance.historyForCustomers,
};

const pageLoaders = createContextCache(
  (_ctx: Context) => new Map<string, DataLoader<string, unknown>>(),
);

/** The loader of one list's pages with these arguments, one per request and argument set. */
export function pagesOf<K extends keyof PagedList>(
  ctx: Context,
  list: K,
  args: PageArgs,
): DataLoader<string, Page<PagedList[K]>> {
  const loaders = pageLoaders(ctx);
  const key = `${list} ${args.first} ${args.after ?? ''}`;
  let loader = loaders.get(key);
  if (!loader) {
    const load = batchFunctions[list](ctx);
    loader = new DataLoader<string, Page<PagedList[K]>>((customerIds) => load(customerIds, args), {
      maxBatchSize: 500,
    });
    loaders.set(key, loader);
  }
  return loader as DataLoader<string, Page<PagedList[K]>>;
}

/**
 * After a mutation has written, cached loads of this request may be stale: a later field (or a
 * later mutation of the same document) must read what was written.
 */
export function afterWrite<T>(ctx: Context, value: T): T {
  clearAllDataLoaders(ctx);
  pageLoaders(ctx).clear();
  return value;
}
