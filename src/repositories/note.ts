import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { customerNotes, customers, type NoteRow } from '../db/schema.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { microsToIso } from '../lib/time.js';
import { anyOf } from './sql.js';

export interface NewNote {
  id: string;
  customerId: string;
  note: string;
}

export function noteRepository(db: Database, companyId: string) {
  const notePosition = (after: KeysetPosition) =>
    sql`(${customerNotes.createdTime}, ${customerNotes.id}) < (${microsToIso(after.micros)}::timestamptz, ${after.id})`;

  return {
    /**
     * Up to `limit` notes of each customer, newest first (createdTime desc, id desc), after the
     * customer's position if given: one statement for the whole page of parents, a LATERAL
     * join walking the notes index backwards once per customer.
     */
    pageByCustomerIds(
      customerIds: readonly string[],
      limit: number,
      after: ReadonlyMap<string, KeysetPosition> = new Map(),
    ): Promise<NoteRow[]> {
      const afterConditions = [...after].map(
        ([customerId, position]) =>
          sql`(${customerNotes.customerId} <> ${customerId} or ${notePosition(position)})`,
      );
      const notes = db
        .select()
        .from(customerNotes)
        .where(
          and(
            eq(customerNotes.companyId, companyId),
            sql`${customerNotes.customerId} = ${customers.id}`,
            ...afterConditions,
          ),
        )
        .orderBy(desc(customerNotes.createdTime), desc(customerNotes.id))
        .limit(limit)
        .as('n');
      return db
        .select({
          companyId: notes.companyId,
          id: notes.id,
          customerId: notes.customerId,
          note: notes.note,
          createdBy: notes.createdBy,
          createdTime: notes.createdTime,
          lastUpdatedBy: notes.lastUpdatedBy,
          lastUpdatedTime: notes.lastUpdatedTime,
        })
        .from(customers)
        .crossJoinLateral(notes)
        .where(and(eq(customers.companyId, companyId), anyOf(customers.id, customerIds)));
    },

    /** The number of notes of each customer that has any. */
    countByCustomerIds(customerIds: readonly string[]) {
      return db
        .select({ customerId: customerNotes.customerId, n: count() })
        .from(customerNotes)
        .where(
          and(eq(customerNotes.companyId, companyId), anyOf(customerNotes.customerId, customerIds)),
        )
        .groupBy(customerNotes.customerId);
    },

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
