import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { companies } from '../db/schema.js';

/**
 * The event position a transaction's company lock took, until its first events use it: shared
 * by one transaction's company and event repositories (repositories/index.ts).
 */
export interface EventPositions {
  reserved: number | null;
}

// Every write transaction of a company starts here. Locking the company's row serialises the
// company's writes, and the write time is read after the lock is held, so lastUpdatedTime
// follows commit order: a client syncing by lastUpdatedTime never misses a row committed late.
// The same row counts customers for the quota, checked and bumped in one conditional statement.
//
// The same statement also takes the position of the transaction's first change event (the
// company's event_seq moves by one), so that a write appending one event does not update the
// row a second time (repositories/event.ts append). A write that appends none leaves a gap in
// the positions, which readers never count on.
export function companyRepository(db: Database, companyId: string, positions: EventPositions) {
  const writeTime = { now: sql<string>`clock_timestamp()`, seq: companies.eventSeq };

  /**
   * Takes the write lock; returns the write time and the company's customer count, exact while
   * the lock is held (a bulk create takes its slots after checking its items: `addCustomers`).
   */
  async function lockForCreate(): Promise<{ now: string; customerCount: number }> {
    const [row] = await db
      .insert(companies)
      .values({ companyId, customerCount: 0, eventSeq: 1 })
      .onConflictDoUpdate({
        target: companies.companyId,
        set: { eventSeq: sql`${companies.eventSeq} + 1` },
      })
      .returning({ ...writeTime, customerCount: companies.customerCount });
    if (!row) throw new Error('company lock returned no row');
    positions.reserved = Number(row.seq);
    return { now: row.now, customerCount: row.customerCount };
  }

  return {
    /** Takes the company's write lock; returns this transaction's write time. */
    async lockForWrite(): Promise<string> {
      return (await lockForCreate()).now;
    },

    lockForCreate,

    /** Counts `n` more customers, under the lock `lockForCreate` took. */
    async addCustomers(n: number): Promise<void> {
      await db
        .update(companies)
        .set({ customerCount: sql`${companies.customerCount} + ${n}` })
        .where(eq(companies.companyId, companyId));
    },

    /**
     * Takes the write lock and `n` customer slots under `quota`; returns the write time, or null
     * (and takes nothing) when the company would exceed its quota.
     */
    async reserveCustomers(n: number, quota: number): Promise<string | null> {
      if (n > quota) return null;
      const [row] = await db
        .insert(companies)
        .values({ companyId, customerCount: n, eventSeq: 1 })
        .onConflictDoUpdate({
          target: companies.companyId,
          set: {
            customerCount: sql`${companies.customerCount} + ${n}`,
            eventSeq: sql`${companies.eventSeq} + 1`,
          },
          setWhere: sql`${companies.customerCount} + ${n} <= ${quota}`,
        })
        .returning(writeTime);
      if (!row) return null;
      positions.reserved = Number(row.seq);
      return row.now;
    },
  };
}

export type CompanyRepository = ReturnType<typeof companyRepository>;
