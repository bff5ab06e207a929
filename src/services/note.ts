// Notes: append (1..100 in one transaction), edit and delete; every change moves the customer's
// lastUpdatedTime, so that a client syncing by filter.lastUpdatedTime sees it.
import type { CustomerRow, NoteRow } from '../db/schema.js';
import { NotFound, StaleVersion } from '../errors.js';
import { orderByKeys } from '../lib/batch.js';
import { isIdOf, newId } from '../lib/ids.js';
import { changeCustomer, keptRows } from './customer-write.js';
import { noteChange } from './events.js';
import { idempotentCall } from './idempotency.js';
import {
  type AppendCustomerNotesInput,
  appendCustomerNotesInput,
  parse,
  type UpdateCustomerNoteInput,
  updateCustomerNoteInput,
} from './input-rules.js';
import type { ServiceContext } from './service-context.js';

export interface DeleteCustomerNoteInput {
  customerId: string;
  noteId: string;
}

/** The notes of `ids` in that order (one deleted since is left out). */
const inOrder = (ids: readonly string[], rows: NoteRow[]): NoteRow[] =>
  orderByKeys(ids, rows, (note) => note.id).filter((note) => note !== null);

export function noteService(serviceContext: ServiceContext) {
  return {
    /** AppendCustomerNotes: 1..100 notes in one transaction, returned in the order given. */
    async append(
      input: AppendCustomerNotesInput,
    ): Promise<{ notes: NoteRow[]; customer: CustomerRow }> {
      const { notes } = parse(appendCustomerNotesInput, input, 'input');
      const call = idempotentCall('appendCustomerNotes', input);
      const added = notes.added.map((note) => ({ id: newId('note'), note }));
      const { value, customer } = await changeCustomer(
        serviceContext,
        input.customerId,
        async ({ tx, customer: current, actor, now }) => ({
          value: inOrder(
            added.map((note) => note.id),
            await tx.notes.insertMany(
              added.map((note) => ({ ...note, customerId: current.id })),
              actor,
              now,
            ),
          ),
          changed: true,
          event: {
            type: 'CUSTOMER_NOTES_APPENDED',
            changes: added.map((note) => noteChange(note.id, null, note.note)),
          },
        }),
        { idempotency: { call, kept: keptRows((tx, ids) => tx.notes.findByIds(ids)) } },
      );
      return { notes: value, customer };
    },

    /**
     * UpdateCustomerNote: new text; createdTime stays, lastUpdatedTime/By and the note's version
     * move. With expectedVersion, the note's version must still be it (ABORTED otherwise).
     */
    async update(input: UpdateCustomerNoteInput): Promise<NoteRow> {
      const { note: text, expectedVersion } = parse(updateCustomerNoteInput, input, 'input');
      const { value } = await changeCustomer(
        serviceContext,
        input.customerId,
        async ({ tx, customer, actor, now }) => {
          // The customer's row lock holds every change of its notes: read here, the version
          // cannot move before the update.
          if (expectedVersion != null && isIdOf('note', input.noteId)) {
            const [current] = await tx.notes.findByIds([input.noteId]);
            if (
              current &&
              current.customerId === customer.id &&
              current.version !== expectedVersion
            ) {
              throw new StaleVersion('Note', input.noteId, expectedVersion, current.version);
            }
          }
          const note = isIdOf('note', input.noteId)
            ? await tx.notes.updateText(customer.id, input.noteId, text, actor, now)
            : null;
          if (!note) throw new NotFound('Note', input.noteId);
          const { oldNote, ...edited } = note;
          return {
            value: edited,
            changed: true,
            event: {
              type: 'CUSTOMER_NOTE_UPDATED',
              changes: oldNote === text ? [] : [noteChange(note.id, oldNote, text)],
            },
          };
        },
      );
      return value;
    },

    /** DeleteCustomerNote: removes one note; a second delete is NOT_FOUND. */
    async remove(input: DeleteCustomerNoteInput): Promise<string> {
      await changeCustomer(serviceContext, input.customerId, async ({ tx, customer }) => {
        const deleted = isIdOf('note', input.noteId)
          ? await tx.notes.delete(customer.id, input.noteId)
          : null;
        if (deleted === null) throw new NotFound('Note', input.noteId);
        return {
          value: null,
          changed: true,
          event: {
            type: 'CUSTOMER_NOTE_DELETED',
            changes: [noteChange(input.noteId, deleted, null)],
          },
        };
      });
      return input.noteId;
    },
  };
}

export type NoteService = ReturnType<typeof noteService>;
