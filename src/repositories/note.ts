import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { customerNotes, type NoteRow } from '../db/schema.js';
import { perCustomerRows } from './per-customer.js';
import { anyOf } from './sql.js';

export interface NewNote {
  id: string;
  customerId: string;
  note: string;
}

export function noteRepository(db: Database, companyId: string) {
  const pages = perCustomerRows(db, companyId, {
    table: customerNotes,
    companyId: customerNotes.companyId,
    customerId: customerNotes.customerId,
    time: customerNotes.createdTime,
    id: customerNotes.id,
  });

  return {
    /** Up to `limit` notes of each customer, newest first (createdTime desc, id desc). */
    pageByCustomerIds: pages.page,

    /** The number of notes of each customer that has any. */
    countByCustomerIds: pages.countByCustomerIds,

    findByIds(ids: readonly string[]): Promise<NoteRow[]> {
      return db
        .select()
        .from(customerNotes)
        .where(and(eq(customerNotes.companyId, companyId), anyOf(customerNotes.id, ids)));
    },

    insertMany(notes: readonly NewNote[], actor: string, now: string): Promise<NoteRow[]> {
      if (notes.length === 0) return Promise.resolve([]);
      return db
        .insert(customerNotes)
        .values(
          notes.map((n, i) => ({
            ...n,
            companyId,
            createdBy: actor,
            // Notes of one request keep their order, newest last: each is a microsecond
            // older than the next, and the last one carries the write time itself.
            createdTime: sql`${now}::timestamptz - make_interval(secs => ${(notes.length - 1 - i) / 1_000_000})`,
            lastUpdatedBy: actor,
            lastUpdatedTime: now,
          })),
        )
        .returning();
    },

    /** Edits one note of the customer; null when the customer has no such note. */
    async updateText(
      customerId: string,
      id: string,
      note: string,
      actor: string,
      now: string,
    ): Promise<NoteRow | null> {
      const [row] = await db
        .update(customerNotes)
        .set({ note, lastUpdatedBy: actor, lastUpdatedTime: now })
        .where(
          and(
            eq(customerNotes.companyId, companyId),
            eq(customerNotes.customerId, customerId),
            eq(customerNotes.id, id),
          ),
        )
        .returning();
      return row ?? null;
    },

    /** Deletes one note of the customer; false when the customer has no such note. */
    async delete(customerId: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(customerNotes)
        .where(
          and(
            eq(customerNotes.companyId, companyId),
            eq(customerNotes.customerId, customerId),
            eq(customerNotes.id, id),
          ),
        )
        .returning({ id: customerNotes.id });
      return rows.length > 0;
    },
  };
}

export type NoteRepository = ReturnType<typeof noteRepository>;
