// rateLimit: the caller's bucket of query cost points (GitHub's view of it). The cost was counted
// and charged before execution (graphql/query-cost.ts); this reads what that left on the context.
import { builder } from './builder.js';

interface RateLimitView {
  limit: number;
  cost: number;
  remaining: number;
  restoreRate: number;
  resetAt: Date;
}

const RateLimit = builder.objectRef<RateLimitView>('RateLimit').implement({
  description: "GitHub-style view of the caller's bucket of query cost points.",
  fields: (t) => ({
    limit: t.exposeInt('limit', { description: 'Points the bucket holds when full.' }),
    cost: t.exposeInt('cost', { description: 'What this document costs (charged unless dryRun).' }),
    remaining: t.exposeInt('remaining', { description: 'Points left after this document.' }),
    restoreRate: t.exposeFloat('restoreRate', { description: 'Points restored per second.' }),
    resetAt: t.expose('resetAt', {
      type: 'DateTime',
      description: 'When the bucket is full again.',
    }),
  }),
});

builder.queryField('rateLimit', (t) =>
  t.field({
    type: RateLimit,
    // The caller's own bucket: no stored data, so no customers:read needed.
    skipTypeScopes: true,
    description:
      "The caller's rate-limit bucket (GitHub-style); dryRun reports the cost of this document without charging it.",
    args: {
      dryRun: t.arg.boolean({
        defaultValue: false,
        description: 'Count the cost without charging it.',
      }),
    },
    resolve: (_root, _args, ctx) => {
      const status = ctx.cost?.throttleStatus;
      const limit = status?.maximumAvailable ?? 0;
      const remaining = status?.currentlyAvailable ?? 0;
      const restoreRate = status?.restoreRate ?? 0;
      const secondsToFull = restoreRate > 0 ? (limit - remaining) / restoreRate : 0;
      return {
        limit,
        cost: ctx.cost?.requestedQueryCost ?? 0,
        remaining,
        restoreRate,
        resetAt: new Date(Date.now() + Math.ceil(secondsToFull) * 1000),
      };
    },
  }),
);
