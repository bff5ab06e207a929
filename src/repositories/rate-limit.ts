// The leaky buckets of query cost, in the database so that every process and replica shares
// them. One statement charges a bucket: it refills it by the time passed since its last charge
// (at `restorePerSecond`, up to `capacity`), gives back what earlier requests did not use, and
// takes `cost` only if the bucket then holds it, all under the row's lock, so that concurrent
// charges from any number of processes add up exactly. A bucket seen for the first time starts
// full. One statement can charge several requests of a process at once: the longest run of them,
// in order, that the bucket holds. The database's clock (now(), never going backwards for a
// bucket) is the only clock.
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rowsOf } from './sql.js';

export interface BucketLimits {
  capacity: number;
  restorePerSecond: number;
}

export interface Charge {
  /** How many of the costs, from the first, were taken. */
  taken: number;
  /** Points left after the costs taken. */
  available: number;
}

export function rateLimitRepository(db: Database) {
  return {
    /**
     * Takes from the bucket the longest run of `costs`, from the first, that it holds (all in one
     * statement, so that the charges a process has waiting cost one round trip together).
     */
    async charge(
      bucketId: string,
      costs: readonly number[],
      refund: number,
      { capacity, restorePerSecond }: BucketLimits,
    ): Promise<Charge> {
      // The costs as one text parameter (one statement text for every batch size, on both
      // drivers), as running totals.
      const totals = sql`(select sum(c) over (order by o) as total from unnest(string_to_array(${costs.join(',')}, ',')::float8[]) with ordinality as t(c, o))`;
      /** What the longest run of costs that fits into `level` adds up to. */
      const takenFrom = (level: SQL) =>
        sql`(select coalesce(max(total) filter (where total <= ${level}), 0) from ${totals} s)`;
      // The bucket's level before this charge, repeated where it is needed (the refill is
      // computed from the row as locked, `b`).
      const level = sql`least(${capacity}::float8, b.available + ${refund}::float8 + greatest(0, extract(epoch from now() - b.updated_time)) * ${restorePerSecond}::float8)`;
      const full = sql`${capacity}::float8`;
      const result = await db.execute(sql`
        insert into rate_limit_buckets as b (bucket_id, available, updated_time, taken)
        values (${bucketId}, ${full} - ${takenFrom(full)}, now(), ${takenFrom(full)})
        on conflict (bucket_id) do update set
          available = ${level} - ${takenFrom(level)},
          taken = ${takenFrom(level)},
          updated_time = greatest(b.updated_time, now())
        returning available, taken`);
      const [row] = rowsOf<{ available: number | string; taken: number | string }>(result);
      if (!row) throw new Error('the bucket charge returned no row');
      const takenPoints = Number(row.taken);
      let taken = 0;
      for (let total = 0; taken < costs.length; taken += 1) {
        total += costs[taken]!;
        if (total > takenPoints) break;
      }
      return { taken, available: Number(row.available) };
    },
  };
}

export type RateLimitRepository = ReturnType<typeof rateLimitRepository>;
