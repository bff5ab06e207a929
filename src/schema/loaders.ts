// After a mutation has written, what this request loaded before may be stale: a later field (or a
// later mutation of the same document) must read what was written, so the request gets new
// loaders. Loads already under way still answer their fields.
import type { Context } from '../context.js';
import { createLoaders } from '../loaders.js';

export function afterWrite<T>(ctx: Context, value: T): T {
  ctx.loaders = createLoaders(ctx.services);
  return value;
}
