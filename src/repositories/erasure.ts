// Erasure of one customer's personal data (services/privacy.ts), in the caller's transaction:
// values overwritten or rows deleted, not flagged. The customer's row stays as a tombstone.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import {
  cofLinks,
  companies,
  complianceChanges,
  customerAddresses,
  customerEvents,
  customerNotes,
  customers,
  customerTags,
} from '../db/schema.js';
import { ofCustomer } from './sql.js';

/**
 * What a tombstone shows in place of the names and phone (NOT NULL columns, and a phone the
 * schema's PhoneNumber scalar accepts: a number no one has, the same for every tombstone).
 */
const ERASED_NAMES = {
  firstName: 'Erased',
  lastName: 'Customer',
  phone: '+10000000000',
} as const;

/**
 * The fields of change events that hold personal values (services/events.ts): names, avatar,
 * phone, e-mail, the address's parts and note texts. Their old and new values become null.
 */
const PERSONAL_FIELDS = '^(firstName|lastName|avatar|phone|email|address\\.|notes\\.)';

export function erasureRepository(db: Database, companyId: string) {
  const of = (table: Parameters<typeof ofCustomer>[0], id: string) =>
    ofCustomer(table, companyId, id);
  return {
    /** Erases the customer's personal data at `now`, by `actor`; its quota slot is given back. */
    async erase(id: string, actor: string, now: string): Promise<void> {
      await db
        .update(customers)
        .set({
          ...ERASED_NAMES,
          email: null,
          avatarPath: null,
          upcomingAppointmentsUrl: null,
          status: 'INACTIVE',
          deleted: true,
          erasedTime: now,
          version: sql`${customers.version} + 1`,
          lastUpdatedBy: actor,
          lastUpdatedTime: now,
        })
        .where(and(eq(customers.companyId, companyId), eq(customers.id, id)));
      await db.delete(customerAddresses).where(of(customerAddresses, id));
      await db.delete(customerNotes).where(of(customerNotes, id));
      await db.delete(customerTags).where(of(customerTags, id));
      await db
        .update(cofLinks)
        .set({ revokedTime: now })
        .where(and(of(cofLinks, id), isNull(cofLinks.usedTime), isNull(cofLinks.revokedTime)));
      // The consent trail keeps its decisions, actors and times; where the request came from is
      // personal data, and goes.
      await db
        .update(complianceChanges)
        .set({ ip: null, userAgent: null })
        .where(of(complianceChanges, id));
      await db.execute(sql`
        update ${customerEvents} set changes = (
          select coalesce(jsonb_agg(
            case when c->>'field' ~ ${PERSONAL_FIELDS}
              then c || '{"oldValue": null, "newValue": null}'::jsonb else c end
            order by n), '[]'::jsonb)
          from jsonb_array_elements(${customerEvents.changes}) with ordinality as e(c, n))
        where ${customerEvents.companyId} = ${companyId} and ${customerEvents.customerId} = ${id}`);
      // A tombstone does not count toward the quota.
      await db
        .update(companies)
        .set({ customerCount: sql`greatest(0, ${companies.customerCount} - 1)` })
        .where(eq(companies.companyId, companyId));
    },
  };
}

export type ErasureRepository = ReturnType<typeof erasureRepository>;
