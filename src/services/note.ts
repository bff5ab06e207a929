import DataLoader from 'dataloader';
import type { NoteRow } from '../db/schema.js';
import { Violations } from '../errors.js';
import { groupByKeys } from '../lib/batch.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { isIdOf } from '../lib/ids.js';
import { requireScope, type ServiceContext } from './context.js';
import { type Page, type PageRequest, pageRequest, toPage } from './page.js';

export interface NotePageArgs {
  first: number;
  after?: string | null;
}

export function noteService({ principal, repos }: ServiceContext) {
  /** A list of notes is one customer's; its cursors are bound to that customer. */
  const scopeOf = (customerId: string) =>
    ['notes', repos.companyId, customerId, 'createdTime desc,id desc'].join('|');

  // totalCount of many customers' notes, batched into one statement per request.
  const counts = new DataLoader<string, number>(async (customerIds) => {
    const rows = await repos.notes.countByCustomerIds(customerIds);
    const byId = new Map(rows.map((row) => [row.customerId, row.n]));
    return customerIds.map((id) => byId.get(id) ?? 0);
  });

  return {
    /** Notes by ID (any order; unknown and foreign IDs are left out). */
    findByIds(ids: readonly string[]): Promise<NoteRow[]> {
      requireScope(principal, 'customers:read');
      const wanted = ids.filter((id) => isIdOf('note', id));
      return wanted.length > 0 ? repos.notes.findByIds(wanted) : Promise.resolve([]);
    },

    /**
     * Batch: one page of notes per customer, newest first, all in one statement. A customer
     * whose arguments are invalid (an `after` made for another customer) gets its error alone.
     */
    async pagesForCustomers(
      customerIds: readonly string[],
      args: NotePageArgs,
    ): Promise<(Page<NoteRow> | Error)[]> {
      const requests = new Map<string, PageRequest | Error>();
      for (const customerId of customerIds) {
        try {
          requests.set(customerId, pageRequest(scopeOf(customerId), args, new Violations()));
        } catch (error) {
          requests.set(customerId, error as Error);
        }
      }
      const valid = customerIds.filter((id) => !(requests.get(id) instanceof Error));
      const after = new Map<string, KeysetPosition>();
      for (const id of valid) {
        const position = (requests.get(id) as PageRequest).after;
        if (position) after.set(id, position);
      }
      const rows =
        valid.length > 0 ? await repos.notes.pageByCustomerIds(valid, args.first + 1, after) : [];
      const grouped = groupByKeys(customerIds, rows, (row) => row.customerId);
      return customerIds.map((customerId, i) => {
        const request = requests.get(customerId) as PageRequest | Error;
        if (request instanceof Error) return request;
        return toPage(
          scopeOf(customerId),
          request,
          grouped[i] ?? [],
          (row) => row.createdTime,
          () => counts.load(customerId),
        );
      });
    },
  };
}

export type NoteService = ReturnType<typeof noteService>;
