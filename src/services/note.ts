// Notes: append (1..100 in one transaction), edit and delete; every change moves the customer's lastUpdatedTime, so that a client syncing by
// filter.lastUpdatedTime sees it.
import type { CustomerRow, NoteRow } from '../db/schema.js';
import { NotFound, Violations } from '../errors.js';
import { orderByKeys } from '../lib/batch.js';
import { isIdOf, newId } from '../lib/ids.js';
import { type NoteInput, noteText, parseNotes } from './customer-input.js';
import { changeCustomer } from './customer-write.js';
import type { ServiceContext } from './service-context.js';

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
  return {
    /** AppendCustomerNotes: 1..100 notes in one transaction, returned in the order given. */
    async append(
      input: AppendCustomerNotesInput,
    ): Promise<{ notes: NoteRow[]; customer: CustomerRow }> {
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
