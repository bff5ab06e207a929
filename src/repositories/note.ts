import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { insertRows } from '../db/bulk.js';
import type { Database } from '../db/client.js';
import { customerNotes, type NoteRow } from '../db/schema.js';
import { orderByKeys } from '../lib/batch.js';
import { microsToIso, toMicros } from '../lib/time.js';
import { perCustomerRows } from './per-customer.js';
import { anyOf, columnsOf } from './sql.js';

export interface NewNote {
  id: string;
  customerId: string;
  note: string;
}

const before = alias(customerNotes, 'before');

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

    /** Inserts the notes in one statement; returns their rows in the order given. */
    async insertMany(notes: readonly NewNote[], actor: string, now: string): Promise<NoteRow[]> {
      if (notes.length === 0) return [];
      const written = toMicros(now);
      const rows = await insertRows<typeof customerNotes, NoteRow>(
        db,
        customerNotes,
        notes.map((n, i) => ({
          ...n,
          companyId,
          createdBy: actor,
          // Notes of one request keep their order, newest last: each is a microsecond
          // older than the next, and the last one carries the write time itself.
          createdTime: i === notes.length - 1 ? now : microsToIso(written - (notes.length - 1 - i)),
          lastUpdatedBy: actor,
          lastUpdatedTime: now,
        })),
        { returning: columnsOf(customerNotes) },
      );
      return orderByKeys(
        notes.map((n) => n.id),
        rows,
        (row) => row.id,
      ).filter((row): row is NoteRow => row !== null);
    },

    /**
     * Edits one note of the customer, giving it with its text before; null when the customer has
     * no such note. The old text comes from a self-join: the joined row is the one the statement
     * started from (RETURNING old.* needs PostgreSQL 18).
     */
    async updateText(
      customerId: string,
      id: string,
      note: string,
      actor: string,
      now: string,
    ): Promise<(NoteRow & { oldNote: string }) | null> {
      const [row] = await db
        .update(customerNotes)
        .set({
          note,
          version: sql`${customerNotes.version} + 1`,
          lastUpdatedBy: actor,
          lastUpdatedTime: now,
        })
        .from(before)
        .where(
          and(
            eq(customerNotes.companyId, companyId),
            eq(customerNotes.customerId, customerId),
            eq(customerNotes.id, id),
            eq(before.companyId, customerNotes.companyId),
            eq(before.id, customerNotes.id),
          ),
        )
        .returning({ ...getTableColumns(customerNotes), oldNote: before.note });
      return row ?? null;
    },

    /** Deletes one note of the customer, giving its text; null when the customer has no such note. */
    async delete(customerId: string, id: string): Promise<string | null> {
      const [row] = await db
        .delete(customerNotes)
        .where(
          and(
            eq(customerNotes.companyId, companyId),
            eq(customerNotes.customerId, customerId),
            eq(customerNotes.id, id),
          ),
        )
        .returning({ note: customerNotes.note });
      return row?.note ?? null;
    },
  };
}

export type NoteRepository = ReturnType<typeof noteRepository>;
