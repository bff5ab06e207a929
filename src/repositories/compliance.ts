import { insertRows } from '../db/bulk.js';
import type { Database } from '../db/client.js';
import { complianceChanges } from '../db/schema.js';
import { perCustomerRows } from './per-customer.js';

export type NewComplianceChange = Omit<typeof complianceChanges.$inferInsert, 'companyId'>;

// The compliance audit trail: rows are only ever inserted (the database refuses the rest).
export function complianceRepository(db: Database, companyId: string) {
  const pages = perCustomerRows(db, companyId, {
    table: complianceChanges,
    companyId: complianceChanges.companyId,
    customerId: complianceChanges.customerId,
    time: complianceChanges.changedTime,
    id: complianceChanges.id,
  });

  return {
    async insertMany(changes: readonly NewComplianceChange[]): Promise<void> {
      if (changes.length === 0) return;
      await insertRows(
        db,
        complianceChanges,
        changes.map((change) => ({ ...change, companyId })),
      );
    },

    /** Up to `limit` changes of each customer, newest first (changedTime desc, id desc). */
    pageByCustomerIds: pages.page,

    /** The number of changes of each customer that has any. */
    countByCustomerIds: pages.countByCustomerIds,
  };
}

export type ComplianceRepository = ReturnType<typeof complianceRepository>;
