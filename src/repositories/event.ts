import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { EVENTS_CHANNEL } from '../db/notifications.js';
import {
  type CustomerEventRow,
  companies,
  customerEvents,
  webhookDeliveries,
  webhookEndpoints,
} from '../db/schema.js';
import type { EventPositions } from './company.js';
import { perCustomerRows } from './per-customer.js';
import { anyOf, rowsOf } from './sql.js';

export interface NewEvent {
  id: string;
  customerId: string;
  type: string;
  changes: unknown[];
}

export interface EventOrigin {
  actor: string | null;
  requestId: string | null;
  /** The write's time; null: the time of the append (a write that took no write time). */
  occurredTime: string | null;
}

export interface StreamFilter {
  types?: readonly string[] | undefined;
  customerId?: string | undefined;
}

// The change stream of one company (the transactional outbox, db/schema.ts customerEvents).
export function eventRepository(
  db: Database,
  companyId: string,
  positions: EventPositions = { reserved: null },
) {
  const history = perCustomerRows(db, companyId, {
    table: customerEvents,
    companyId: customerEvents.companyId,
    customerId: customerEvents.customerId,
    time: customerEvents.occurredTime,
    id: customerEvents.id,
  });

  return {
    /**
     * Appends events in the caller's transaction, in one statement: the company's position moves
     * by their number (taking its row lock until commit, so positions commit in order) and each
     * event takes the next one, in the order given. Listeners hear the company's ID at commit
     * (db/notifications.ts), and each enabled webhook endpoint taking an event's type gets a
     * delivery of it.
     */
    async append(events: readonly NewEvent[], origin: EventOrigin): Promise<void> {
      if (events.length === 0) return;
      const n = events.length;
      // The first position was taken with the company's lock (repositories/company.ts), when
      // it was; the others move the company's position now (under the same lock).
      const reserved = positions.reserved;
      positions.reserved = null;
      const more = reserved === null ? n : n - 1;
      await db.execute(sql`
        with moved as (
          ${
            more === 0
              ? sql`select ${reserved! - 1}::bigint as base`
              : sql`insert into ${companies} (company_id, customer_count, event_seq) values (${companyId}, 0, ${more})
          on conflict (company_id) do update set event_seq = ${companies}.event_seq + excluded.event_seq
          returning ${reserved === null ? sql`event_seq - ${n}` : sql`${reserved - 1}::bigint`} as base`
          }
        ),
        -- Delivered at commit, and not at all on rollback: the wake-up of subscriptions.
        notified as (select pg_notify(${EVENTS_CHANNEL}, ${companyId})),
        inserted as (
          insert into ${customerEvents}
            (company_id, seq, id, customer_id, type, changes, actor, request_id, occurred_time)
          select ${companyId}, moved.base + e.ord, e.id, e.customer_id, e.type, e.changes,
            ${origin.actor}, ${origin.requestId}, coalesce(${origin.occurredTime}::timestamptz, clock_timestamp())
          from moved, notified, rows from (
            jsonb_to_recordset(${JSON.stringify(events.map(toRecord))}::jsonb)
              as (id text, customer_id text, type text, changes jsonb)
          ) with ordinality as e(id, customer_id, type, changes, ord)
          returning seq, id, customer_id, type, occurred_time
        )
        -- One delivery per event and enabled endpoint that takes its type, due at once.
        insert into ${webhookDeliveries}
          (company_id, id, endpoint_id, event_id, event_seq, customer_id, event_type, next_attempt_time, created_time)
        select ${companyId}, 'whd_' || replace(gen_random_uuid()::text, '-', ''), w.id, inserted.id,
          inserted.seq, inserted.customer_id, inserted.type, inserted.occurred_time, inserted.occurred_time
        from inserted join ${webhookEndpoints} w
          on w.company_id = ${companyId} and w.enabled and inserted.type = any(w.event_types)`);
    },

    /** Up to `limit` events after position `after`, oldest first. */
    stream(after: number, limit: number, filter: StreamFilter = {}): Promise<CustomerEventRow[]> {
      const conditions: SQL[] = [eq(customerEvents.companyId, companyId)];
      if (after > 0) conditions.push(gt(customerEvents.seq, after));
      if (filter.customerId !== undefined) {
        conditions.push(eq(customerEvents.customerId, filter.customerId));
      }
      if (filter.types?.length) conditions.push(anyOf(customerEvents.type, filter.types));
      return db
        .select()
        .from(customerEvents)
        .where(and(...conditions))
        .orderBy(asc(customerEvents.seq))
        .limit(limit);
    },

    findByIds(ids: readonly string[]): Promise<CustomerEventRow[]> {
      return db
        .select()
        .from(customerEvents)
        .where(and(eq(customerEvents.companyId, companyId), anyOf(customerEvents.id, ids)));
    },

    /** The company's last position (0 before its first event) and the last one pruned. */
    async positions(): Promise<{ head: number; pruned: number }> {
      const rows = rowsOf<{ head: string | number; pruned: string | number }>(
        await db.execute(
          sql`select event_seq as head, events_pruned_seq as pruned from ${companies} where company_id = ${companyId}`,
        ),
      );
      return { head: Number(rows[0]?.head ?? 0), pruned: Number(rows[0]?.pruned ?? 0) };
    },

    /** Up to `limit` events of each customer, newest first (occurredTime desc, id desc). */
    historyByCustomerIds: history.page,

    /** The number of events of each customer that has any. */
    countByCustomerIds: history.countByCustomerIds,
  };
}

const toRecord = (event: NewEvent) => ({
  id: event.id,
  customer_id: event.customerId,
  type: event.type,
  changes: event.changes,
});

export type EventRepository = ReturnType<typeof eventRepository>;

/**
 * Deletes up to `limit` events (of any company) older than `before`, oldest first, and moves
 * each company's pruned position past them, in one statement; gives how many it deleted.
 */
export async function pruneEvents(db: Database, before: string, limit: number): Promise<number> {
  const rows = rowsOf<{ deleted: string | number }>(
    await db.execute(sql`
      with doomed as (
        select company_id, seq from ${customerEvents}
        where occurred_time < ${before}::timestamptz order by occurred_time limit ${limit}
      ), deleted as (
        delete from ${customerEvents} e using doomed
        where e.company_id = doomed.company_id and e.seq = doomed.seq
        returning e.company_id, e.seq
      ), marks as (
        select company_id, max(seq) as seq from deleted group by company_id
      ), moved as (
        update ${companies} c set events_pruned_seq = greatest(c.events_pruned_seq, marks.seq)
        from marks where c.company_id = marks.company_id
        returning 1
      )
      select (select count(*) from deleted) as deleted, (select count(*) from moved) as companies`),
  );
  return Number(rows[0]?.deleted ?? 0);
}
