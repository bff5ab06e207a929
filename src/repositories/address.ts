import { and, eq, sql } from 'drizzle-orm';
import { insertRows } from '../db/bulk.js';
import type { Database } from '../db/client.js';
import { type AddressRow, customerAddresses } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { columnsOf, param, preparedSelect } from './sql.js';

export type AddressFields = Pick<
  typeof customerAddresses.$inferInsert,
  'address1' | 'address2' | 'city' | 'state' | 'postalCode' | 'country' | 'latitude' | 'longitude'
>;

export function addressRepository(db: Database, companyId: string) {
  /** Addresses of customers that have none yet (new ones), in one statement. */
  const insertMany = async (
    rows: readonly { customerId: string; type: AddressRow['type']; fields: AddressFields }[],
    now: string,
  ): Promise<void> => {
    if (rows.length === 0) return;
    await insertRows(
      db,
      customerAddresses,
      rows.map(({ customerId, type, fields }) => ({
        ...fields,
        companyId,
        customerId,
        id: newId('address'),
        type,
        createdTime: now,
        lastUpdatedTime: now,
      })),
    );
  };

  return {
    /** Addresses of the customers, each customer's PRIMARY first, then oldest first. */
    listByCustomerIds(customerIds: readonly string[]): Promise<AddressRow[]> {
      return preparedSelect<AddressRow>(
        db,
        'addresses.listByCustomerIds',
        () => sql`select ${columnsOf(customerAddresses)} from ${customerAddresses}
          where ${customerAddresses.companyId} = ${param('companyId')}
            and ${customerAddresses.customerId} = any(${param('customerIds')}::text[])
          order by ${customerAddresses.customerId}, ${customerAddresses.type},
            ${customerAddresses.createdTime}, ${customerAddresses.id}`,
      )({ companyId, customerIds });
    },

    /** Sets the customer's PRIMARY address (created if none, else replaced in place). */
    async upsertPrimary(customerId: string, fields: AddressFields, now: string): Promise<void> {
      await db
        .insert(customerAddresses)
        .values({
          ...fields,
          companyId,
          customerId,
          id: newId('address'),
          type: 'PRIMARY',
          createdTime: now,
          lastUpdatedTime: now,
        })
        .onConflictDoUpdate({
          target: [customerAddresses.companyId, customerAddresses.customerId],
          targetWhere: sql`type = 'PRIMARY'`,
          set: {
            address1: fields.address1 ?? null,
            address2: fields.address2 ?? null,
            city: fields.city ?? null,
            state: fields.state ?? null,
            postalCode: fields.postalCode ?? null,
            country: fields.country ?? null,
            latitude: fields.latitude ?? null,
            longitude: fields.longitude ?? null,
            lastUpdatedTime: now,
          },
        });
    },

    async insertSecondary(customerId: string, fields: AddressFields, now: string): Promise<void> {
      await insertMany([{ customerId, type: 'SECONDARY', fields }], now);
    },

    insertMany,

    async deletePrimary(customerId: string): Promise<void> {
      await db
        .delete(customerAddresses)
        .where(
          and(
            eq(customerAddresses.companyId, companyId),
            eq(customerAddresses.customerId, customerId),
            eq(customerAddresses.type, 'PRIMARY'),
          ),
        );
    },
  };
}

export type AddressRepository = ReturnType<typeof addressRepository>;
