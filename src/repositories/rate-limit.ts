// The leaky buckets of query cost, in the database so that every process and replica shares
// them. One statement charges a bucket: it refills it by the time passed since its last charge
// (at `restorePerSecond`, up to `capacity`), gives back what earlier requests did not use, and
// takes `cost` only if the bucket then holds it, all under the row's lock, so that concurrent
// charges from any number of processes add up exactly. A bucket seen for the first time starts
// full. The database's clock (now(), never going backwards for a bucket) is the only clock.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rowsOf } from './sql.js';

export interface BucketLimits {
  capacity: number;
  restorePerSecond: number;
}

export interface Charge {
  /** Whether the cost was taken. */
  taken: boolean;
  /** Points left (after the charge when taken). */
  available: number;
}

export function rateLimitRepository(db: Database) {
  return {
    async charge(
      bucketId: string,
      cost: number,
      refund: number,
      { capacity, restorePerSecond }: BucketLimits,
    ): Promise<Charge> {
      // The bucket's level before this charge, repeated in each SET (the refill is computed from
      // the row as locked, `b`).
      const level = sql`least(${capacity}::float8, b.available + ${refund}::float8 + greatest(0, extract(epoch from now() - b.updated_time)) * ${restorePerSecond}::float8)`;
      const fits = sql`${level} >= ${cost}::float8`;
      const result = await db.execute(sql`
        insert into rate_limit_buckets as b (bucket_id, available, updated_time, taken)
        values (
          ${bucketId},
          case when ${capacity}::float8 >= ${cost}::float8 then ${capacity}::float8 - ${cost}::float8 else ${capacity}::float8 end,
          now(),
          case when ${capacity}::float8 >= ${cost}::float8 then ${cost}::float8 else 0 end
        )
        on conflict (bucket_id) do update set
          available = ${level} - case when ${fits} then ${cost}::float8 else 0 end,
          taken = case when ${fits} then ${cost}::float8 else 0 end,
          updated_time = greatest(b.updated_time, now())
        returning available, taken`);
      const [row] = rowsOf<{ available: number | string; taken: number | string }>(result);
      if (!row) throw new Error('the bucket charge returned no row');
      return { taken: cost === 0 || Number(row.taken) === cost, available: Number(row.available) };
    },
  };
}

export type RateLimitRepository = ReturnType<typeof rateLimitRepository>;
