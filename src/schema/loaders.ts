// DataLoaders that need more than the dataloader plugin's per-field loaders: a page of notes
// depends on its arguments, so its loaders are keyed by them (aliases with the same arguments
// share one loader, and so one statement). Per request: kept on the context object.
import { createContextCache } from '@pothos/core';
import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import type { NoteRow } from '../db/schema.js';
import type { NotePageArgs } from '../services/note.js';
import type { Page } from '../services/page.js';

const notePageLoaders = createContextCache(
  (_ctx: Context) => new Map<string, DataLoader<string, Page<NoteRow>>>(),
);

/** The loader of note pages with these arguments, one per request and argument set. */
export function notePages(ctx: Context, args: NotePageArgs): DataLoader<string, Page<NoteRow>> {
  const loaders = notePageLoaders(ctx);
  const key = JSON.stringify([args.first, args.after ?? null]);
  let loader = loaders.get(key);
  if (!loader) {
    loader = new DataLoader(
      (customerIds) => ctx.services.notes.pagesForCustomers(customerIds, args),
      {
        maxBatchSize: 500,
      },
    );
    loaders.set(key, loader);
  }
  return loader;
}

/**
 * After a mutation has written, cached loads of this request may be stale: a later field (or a
 * later mutation of the same document) must read what was written.
 */
export function afterWrite<T>(ctx: Context, value: T): T {
  clearAllDataLoaders(ctx);
  notePageLoaders(ctx).clear();
  return value;
}
