import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import {
  type CustomerEventRow,
  customerEvents,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  webhookDeliveries,
  webhookEndpoints,
} from '../db/schema.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { microsToIso } from '../lib/time.js';
import { rowsOf } from './sql.js';

export type NewWebhookEndpoint = Omit<typeof webhookEndpoints.$inferInsert, 'companyId'>;
export type WebhookEndpointPatch = Partial<
  Pick<
    WebhookEndpointRow,
    'url' | 'eventTypes' | 'enabled' | 'description' | 'secret' | 'previousSecret'
  > & { previousSecretExpires: string | null }
>;

// A company's webhook endpoints and their deliveries.
export function webhookRepository(db: Database, companyId: string) {
  const endpointIs = (id: string) =>
    and(eq(webhookEndpoints.companyId, companyId), eq(webhookEndpoints.id, id));

  return {
    async insertEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
      const [row] = await db
        .insert(webhookEndpoints)
        .values({ ...endpoint, companyId })
        .returning();
      if (!row) throw new Error('insert returned no endpoint');
      return row;
    },

    listEndpoints(): Promise<WebhookEndpointRow[]> {
      return db
        .select()
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.companyId, companyId))
        .orderBy(webhookEndpoints.createdTime, webhookEndpoints.id);
    },

    async findEndpoint(id: string): Promise<WebhookEndpointRow | null> {
      const [row] = await db.select().from(webhookEndpoints).where(endpointIs(id));
      return row ?? null;
    },

    async updateEndpoint(
      id: string,
      patch: WebhookEndpointPatch,
    ): Promise<WebhookEndpointRow | null> {
      const [row] = await db.update(webhookEndpoints).set(patch).where(endpointIs(id)).returning();
      return row ?? null;
    },

    /** Deletes the endpoint and its deliveries; false when there is none. */
    async deleteEndpoint(id: string): Promise<boolean> {
      const rows = await db
        .delete(webhookEndpoints)
        .where(endpointIs(id))
        .returning({ id: webhookEndpoints.id });
      return rows.length > 0;
    },

    /** Up to `limit` deliveries of the endpoint, newest first, after `after`. */
    deliveries(
      endpointId: string,
      limit: number,
      after: KeysetPosition | null,
    ): Promise<WebhookDeliveryRow[]> {
      return db
        .select()
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.companyId, companyId),
            eq(webhookDeliveries.endpointId, endpointId),
            after
              ? sql`(${webhookDeliveries.createdTime}, ${webhookDeliveries.id}) < (${microsToIso(after.micros)}::timestamptz, ${after.id})`
              : undefined,
          ),
        )
        .orderBy(desc(webhookDeliveries.createdTime), desc(webhookDeliveries.id))
        .limit(limit);
    },

    async findEvent(id: string): Promise<CustomerEventRow | null> {
      const [row] = await db
        .select()
        .from(customerEvents)
        .where(and(eq(customerEvents.companyId, companyId), eq(customerEvents.id, id)));
      return row ?? null;
    },

    /** A new delivery of an event, due now (redelivery). */
    async insertDelivery(
      endpointId: string,
      event: CustomerEventRow,
      id: string,
      now: string,
    ): Promise<WebhookDeliveryRow> {
      const [row] = await db
        .insert(webhookDeliveries)
        .values({
          companyId,
          id,
          endpointId,
          eventId: event.id,
          eventSeq: event.seq,
          customerId: event.customerId,
          eventType: event.type,
          nextAttemptTime: now,
          createdTime: now,
        })
        .returning();
      if (!row) throw new Error('insert returned no delivery');
      return row;
    },
  };
}

export type WebhookRepository = ReturnType<typeof webhookRepository>;

/** A delivery the worker claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  companyId: string;
  id: string;
  attempts: number;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpires: string | null;
  event: CustomerEventRow;
}

/**
 * The delivery worker's statements, across companies (a worker serves every company).
 */
export function deliveryQueue(db: Database) {
  return {
    /**
     * Claims up to `limit` due deliveries: PENDING, due, and with no earlier PENDING delivery of
     * the same customer to the same endpoint (order per customer). Claimed rows are leased: their
     * next attempt moves `leaseMs` ahead and their attempt is counted, in this statement, so a
     * worker that dies mid-delivery leaves them to be claimed again when the lease ends. SKIP
     * LOCKED: workers (one per process) never wait on each other.
     */
    async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
      const rows = rowsOf<Record<string, unknown>>(
        await db.execute(sql`
          with due as (
            select d.company_id, d.id from ${webhookDeliveries} d
            where d.status = 'PENDING' and d.next_attempt_time <= clock_timestamp()
              and not exists (
                select 1 from ${webhookDeliveries} e
                where e.company_id = d.company_id and e.endpoint_id = d.endpoint_id
                  and e.customer_id = d.customer_id and e.status = 'PENDING'
                  and e.event_seq < d.event_seq
              )
            order by d.next_attempt_time
            limit ${limit}
            for update of d skip locked
          ), claimed as (
            update ${webhookDeliveries} d
            set attempts = d.attempts + 1,
              next_attempt_time = clock_timestamp() + make_interval(secs => ${leaseMs / 1000}),
              last_attempt_time = clock_timestamp()
            from due where d.company_id = due.company_id and d.id = due.id
            returning d.company_id, d.id, d.attempts, d.endpoint_id, d.event_id
          )
          select claimed.company_id as "companyId", claimed.id, claimed.attempts, w.url, w.secret,
            w.previous_secret as "previousSecret", w.previous_secret_expires as "previousSecretExpires",
            row_to_json(ev) as event
          from claimed
          join ${webhookEndpoints} w on w.company_id = claimed.company_id and w.id = claimed.endpoint_id
          join ${customerEvents} ev on ev.company_id = claimed.company_id and ev.id = claimed.event_id`),
      );
      return rows.map((row) => {
        const event = (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as Record<
          string,
          unknown
        >;
        return {
          companyId: String(row.companyId),
          id: String(row.id),
          attempts: Number(row.attempts),
          url: String(row.url),
          secret: String(row.secret),
          previousSecret: (row.previousSecret as string | null) ?? null,
          previousSecretExpires:
            row.previousSecretExpires == null ? null : String(row.previousSecretExpires),
          event: {
            companyId: String(event.company_id),
            seq: Number(event.seq),
            id: String(event.id),
            customerId: String(event.customer_id),
            type: String(event.type),
            changes: event.changes,
            actor: (event.actor as string | null) ?? null,
            requestId: (event.request_id as string | null) ?? null,
            occurredTime: String(event.occurred_time),
          },
        };
      });
    },

    /** The outcome of an attempt: SUCCEEDED, FAILED, or PENDING again at `nextAttempt`. */
    async settle(
      delivery: { companyId: string; id: string },
      outcome: {
        status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
        responseStatus: number | null;
        error: string | null;
        nextAttempt: Date | null;
      },
    ): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set({
          status: outcome.status,
          lastResponseStatus: outcome.responseStatus,
          lastError: outcome.error,
          nextAttemptTime: outcome.nextAttempt?.toISOString() ?? null,
        })
        .where(
          and(
            eq(webhookDeliveries.companyId, delivery.companyId),
            eq(webhookDeliveries.id, delivery.id),
          ),
        );
    },
  };
}

export type DeliveryQueue = ReturnType<typeof deliveryQueue>;
