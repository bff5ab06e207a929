import type { AddressRow } from '../db/schema.js';
import { groupByKeys } from '../lib/batch.js';
import type { ServiceContext } from './context.js';

export function addressService({ repos }: ServiceContext) {
  return {
    /** Batch: the addresses of each customer, PRIMARY first. */
    async listForCustomers(customerIds: readonly string[]): Promise<AddressRow[][]> {
      const rows = await repos.addresses.listByCustomerIds(customerIds);
      return groupByKeys(customerIds, rows, (row) => row.customerId);
    },
  };
}

export type AddressService = ReturnType<typeof addressService>;
