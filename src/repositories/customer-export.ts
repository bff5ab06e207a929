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
import { ofCustomer } from './sql.js';

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
          .where(ofCustomer(customerAddresses, companyId, customerId)),
        db
          .select()
          .from(customerNotes)
          .where(ofCustomer(customerNotes, companyId, customerId))
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
          .where(ofCustomer(customerTags, companyId, customerId))
          .orderBy(asc(tags.name)),
        db
          .select()
          .from(complianceChanges)
          .where(ofCustomer(complianceChanges, companyId, customerId))
          .orderBy(asc(complianceChanges.changedTime), asc(complianceChanges.id)),
        db
          .select()
          .from(customerEvents)
          .where(ofCustomer(customerEvents, companyId, customerId))
          .orderBy(asc(customerEvents.seq)),
        db
          .select(linkColumns)
          .from(cofLinks)
          .where(ofCustomer(cofLinks, companyId, customerId))
          .orderBy(asc(cofLinks.createdTime)),
        db
          .select()
          .from(cardSetups)
          .where(ofCustomer(cardSetups, companyId, customerId))
          .orderBy(asc(cardSetups.createdTime)),
      ]);
      return { customer, addresses, notes, tags: applied, compliance, events, links, setups };
    },
  };
}

export type CustomerExportRepository = ReturnType<typeof customerExportRepository>;
