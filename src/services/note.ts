// Notes: a customer's notes, newest first. Append (1..100 in one transaction), list, edit and
// delete; every change moves the customer's lastUpdatedTime, so that a client syncing by
// filter.lastUpdatedTime sees it.
import type { CustomerRow, NoteRow } from '../db/schema.js';
import { NotFound, Violations } from '../errors.js';
import { orderByKeys } from '../lib/batch.js';
import { isIdOf, newId } from '../lib/ids.js';
import { requireScope, type ServiceContext } from './context.js';
import { type NoteInput, noteText, parseNotes } from './customer-input.js';
import { changeCustomer, requireCustomer } from './customer-write.js';
import { type Page, type PageArgs, perCustomerPages } from './page.js';

export interface AppendCustomerNotesInput {
  customerId: string;
  notes: readonly NoteInput[];
}

export interface UpdateCustomerNoteInput {
  customerId: string;
  noteId: string;
  note: string;
}

export interface DeleteCustomerNoteInput {
  customerId: string;
  noteId: string;
}

export function noteService(serviceContext: ServiceContext) {
  const { principal, repos } = serviceContext;

  const pages = perCustomerPages({
    name: 'notes',
    companyId: repos.companyId,
    fetch: repos.notes.pageByCustomerIds,
    count: repos.notes.countByCustomerIds,
    sortTime: (note: NoteRow) => note.createdTime,
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
    pagesForCustomers: pages.load,

    /** ListCustomerNotes: one customer's notes, newest first; NOT_FOUND for an unknown customer. */
    async list(customerId: string, args: PageArgs): Promise<Page<NoteRow>> {
      requireScope(principal, 'customers:read');
      pages.check(customerId, args);
      await requireCustomer(repos, customerId);
      const [page] = await pages.load([customerId], args);
      if (!page || page instanceof Error) throw page ?? new NotFound('Customer', customerId);
      return page;
    },

    /** AppendCustomerNotes: 1..100 notes in one transaction, returned in the order given. */
    async append(
      input: AppendCustomerNotesInput,
    ): Promise<{ notes: NoteRow[]; customer: CustomerRow }> {
      requireScope(principal, 'customers:write');
      const v = new Violations();
      if (input.notes.length === 0) v.add('input.notes', 'must have at least one note');
      const { added } = parseNotes(v, 'input.notes', input.notes, false);
      v.throwIfAny();
      const ids = added.map(() => newId('note'));
      const { value, customer } = await changeCustomer(
        serviceContext,
        input.customerId,
        async ({ tx, customer: current, actor, now }) => ({
          value: await tx.notes.insertMany(
            added.map((note, i) => ({ id: ids[i]!, customerId: current.id, note })),
            actor,
            now,
          ),
          changed: true,
        }),
      );
      return {
        notes: orderByKeys(ids, value, (note) => note.id).filter((n) => n !== null),
        customer,
      };
    },

    /** UpdateCustomerNote: new text; createdTime stays, lastUpdatedTime/By move. */
    async update(input: UpdateCustomerNoteInput): Promise<NoteRow> {
      requireScope(principal, 'customers:write');
      const v = new Violations();
      const text = noteText(v, 'input.note', input.note);
      v.throwIfAny();
      const { value } = await changeCustomer(
        serviceContext,
        input.customerId,
        async ({ tx, customer, actor, now }) => {
          const note = isIdOf('note', input.noteId)
            ? await tx.notes.updateText(customer.id, input.noteId, text!, actor, now)
            : null;
          if (!note) throw new NotFound('Note', input.noteId);
          return { value: note, changed: true };
        },
      );
      return value;
    },

    /** DeleteCustomerNote: removes one note; a second delete is NOT_FOUND. */
    async remove(input: DeleteCustomerNoteInput): Promise<string> {
      requireScope(principal, 'customers:write');
      await changeCustomer(serviceContext, input.customerId, async ({ tx, customer }) => {
        const deleted =
          isIdOf('note', input.noteId) && (await tx.notes.delete(customer.id, input.noteId));
        if (!deleted) throw new NotFound('Note', input.noteId);
        return { value: null, changed: true };
      });
      return input.noteId;
    },
  };
}

export type NoteService = ReturnType<typeof noteService>;
