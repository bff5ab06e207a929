// Everything stored about one customer, for its data export (services/privacy.ts): its row and
// every row of the tables that hang off it, one statement per table. Secrets are left out here,
// at the source: card-on-file links without their token hash, and the search columns (derived
// from the names and e-mail) with them.
import { and, asc, eq, getTableColumns } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import {
  cardSetups,
  cofLinks,
  complianceChanges,
  customerAddresses,
  customerEvents,
  customerNotes,
  customers,
  customerTags,
  tags,
} from '../db/schema.js';

const {
  searchText: _search,
  phoneDigits: _digits,
  ...customerColumns
} = getTableColumns(customers);
const { tokenHash: _hash, ...linkColumns } = getTableColumns(cofLinks);

export function customerExportRepository(db: Database, companyId: string) {
  return {
    /** The customer's row and its rows in every table; null when it does not exist. */
    async everything(customerId: string) {
      const [customer] = await db
        .select(customerColumns)
        .from(customers)
        .where(and(eq(customers.companyId, companyId), eq(customers.id, customerId)));
      if (!customer) return null;
      const [addresses, notes, applied, compliance, events, links, setups] = await Promise.all([
        db
          .select()
          .from(customerAddresses)
          .where(
            and(
              eq(customerAddresses.companyId, companyId),
              eq(customerAddresses.customerId, customerId),
            ),
          ),
        db
          .select()
          .from(customerNotes)
          .where(
            and(eq(customerNotes.companyId, companyId), eq(customerNotes.customerId, customerId)),
          )
          .orderBy(asc(customerNotes.createdTime), asc(customerNotes.id)),
        db
          .select({
            tagId: tags.id,
            name: tags.name,
            appliedBy: customerTags.createdBy,
            appliedTime: customerTags.createdTime,
          })
          .from(customerTags)
          .innerJoin(
            tags,
            and(eq(tags.companyId, customerTags.companyId), eq(tags.id, customerTags.tagId)),
          )
          .where(
            and(eq(customerTags.companyId, companyId), eq(customerTags.customerId, customerId)),
          )
          .orderBy(asc(tags.name)),
        db
          .select()
          .from(complianceChanges)
          .where(
            and(
              eq(complianceChanges.companyId, companyId),
              eq(complianceChanges.customerId, customerId),
            ),
          )
          .orderBy(asc(complianceChanges.changedTime), asc(complianceChanges.id)),
        db
          .select()
          .from(customerEvents)
          .where(
            and(eq(customerEvents.companyId, companyId), eq(customerEvents.customerId, customerId)),
          )
          .orderBy(asc(customerEvents.seq)),
        db
          .select(linkColumns)
          .from(cofLinks)
          .where(and(eq(cofLinks.companyId, companyId), eq(cofLinks.customerId, customerId)))
          .orderBy(asc(cofLinks.createdTime)),
        db
          .select()
          .from(cardSetups)
          .where(and(eq(cardSetups.companyId, companyId), eq(cardSetups.customerId, customerId)))
          .orderBy(asc(cardSetups.createdTime)),
      ]);
      return { customer, addresses, notes, tags: applied, compliance, events, links, setups };
    },
  };
}

export type CustomerExportRepository = ReturnType<typeof customerExportRepository>;
export type CustomerExportRows = NonNullable<
  Awaited<ReturnType<CustomerExportRepository['everything']>>
>;
