import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { companies } from '../db/schema.js';

// Every write transaction of a company starts here. Locking the company's row serialises the
// company's writes, and the write time is read after the lock is held, so lastUpdatedTime
// follows commit order: a client syncing by lastUpdatedTime never misses a row committed late.
// The same row counts customers for the quota, checked and bumped in one conditional statement.
export function companyRepository(db: Database, companyId: string) {
  const writeTime = { now: sql<string>`clock_timestamp()` };

  return {
    /** Takes the company's write lock; returns this transaction's write time. */
    async lockForWrite(): Promise<string> {
      const [row] = await db
        .insert(companies)
        .values({ companyId, customerCount: 0 })
        .onConflictDoUpdate({
          target: companies.companyId,
          set: { customerCount: sql`${companies.customerCount}` },
        })
        .returning(writeTime);
      if (!row) throw new Error('company lock returned no row');
      return row.now;
    },

    /**
     * Takes the write lock and `n` customer slots under `quota`; returns the write time, or null
     * (and takes nothing) when the company would exceed its quota.
     */
    async reserveCustomers(n: number, quota: number): Promise<string | null> {
      if (n > quota) return null;
      const [row] = await db
        .insert(companies)
        .values({ companyId, customerCount: n })
        .onConflictDoUpdate({
          target: companies.companyId,
          set: { customerCount: sql`${companies.customerCount} + ${n}` },
          setWhere: sql`${companies.customerCount} + ${n} <= ${quota}`,
        })
        .returning(writeTime);
      return row?.now ?? null;
    },
  };
}

export type CompanyRepository = ReturnType<typeof companyRepository>;
