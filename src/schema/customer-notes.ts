// The upstream's note operations: ListCustomerNotes, AppendCustomerNotes, and editing and
// deleting one note.
import type { CustomerRow, NoteRow } from '../db/schema.js';
import type {
  AppendCustomerNotesInput as AppendCustomerNotesInputShape,
  UpdateCustomerNoteInput as UpdateCustomerNoteInputShape,
} from '../services/input-rules.js';
import { builder } from './builder.js';
import {
  afterWrite,
  DEFAULT_PAGE_SIZE,
  IDEMPOTENCY_KEY,
  type Implements,
  pageCost,
} from './common.js';
import { Customer, NoteInput, pageOfCustomer } from './customer.js';
import { CustomerNote, CustomerNoteConnection } from './note.js';

builder.queryField('customerNotes', (t) =>
  t.field({
    type: CustomerNoteConnection,
    description: "ListCustomerNotes: a customer's notes, newest first.",
    complexity: pageCost,
    args: {
      customerId: t.arg.id({ required: true, description: 'The customer (cus_…).' }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: 'Page size (upstream pageSize), 1..500.',
      }),
      after: t.arg.string({
        description: 'The endCursor of the previous page (upstream pageToken).',
      }),
    },
    resolve: (_root, { customerId, first, after }, ctx) =>
      pageOfCustomer(ctx, 'notes', customerId, { first: first ?? DEFAULT_PAGE_SIZE, after }),
  }),
);

const AppendCustomerNotesInput = builder.inputType('AppendCustomerNotesInput', {
  description: 'AppendCustomerNotes: notes to add to one customer.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
    customerId: t.id({ required: true, description: 'The customer (cus_…).' }),
    notes: t.field({
      type: [NoteInput],
      required: true,
      description: '1..100 new notes (without id), added in one transaction.',
    }),
  }),
});
const _appendCustomerNotesImplements: Implements<
  typeof AppendCustomerNotesInput.$inferInput,
  AppendCustomerNotesInputShape
> = true;

const AppendCustomerNotesPayload = builder
  .objectRef<{ notes: NoteRow[]; customer: CustomerRow }>('AppendCustomerNotesPayload')
  .implement({
    description: 'The result of appendCustomerNotes.',
    fields: (t) => ({
      notes: t.expose('notes', {
        type: [CustomerNote],
        description: 'The new notes, in the order given.',
      }),
      customer: t.expose('customer', {
        type: Customer,
        description: 'The customer, its lastUpdatedTime moved.',
      }),
    }),
  });

const UpdateCustomerNoteInput = builder.inputType('UpdateCustomerNoteInput', {
  description: "A new text for one of a customer's notes.",
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'The customer (cus_…).' }),
    noteId: t.id({ required: true, description: 'The note (cxn_…).' }),
    note: t.string({ required: true, description: 'The new text, 1..10,000 characters.' }),
    expectedVersion: t.int({
      description: 'When given, CustomerNote.version must still equal it; else ABORTED.',
    }),
  }),
});
const _updateCustomerNoteImplements: Implements<
  typeof UpdateCustomerNoteInput.$inferInput,
  UpdateCustomerNoteInputShape
> = true;

const UpdateCustomerNotePayload = builder
  .objectRef<{ note: NoteRow }>('UpdateCustomerNotePayload')
  .implement({
    description: 'The result of updateCustomerNote.',
    fields: (t) => ({
      note: t.expose('note', { type: CustomerNote, description: 'The note as changed.' }),
    }),
  });

const DeleteCustomerNoteInput = builder.inputType('DeleteCustomerNoteInput', {
  description: "One of a customer's notes, to delete.",
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'The customer (cus_…).' }),
    noteId: t.id({ required: true, description: 'The note (cxn_…).' }),
  }),
});

const DeleteCustomerNotePayload = builder
  .objectRef<{ deletedNoteId: string }>('DeleteCustomerNotePayload')
  .implement({
    description: 'The result of deleteCustomerNote.',
    fields: (t) => ({
      deletedNoteId: t.exposeID('deletedNoteId', { description: 'The note that was deleted.' }),
    }),
  });

builder.mutationFields((t) => ({
  appendCustomerNotes: t.field({
    type: AppendCustomerNotesPayload,
    description:
      'AppendCustomerNotes: adds 1..100 notes to a customer, each stamped with you and the time.',
    args: {
      input: t.arg({ type: AppendCustomerNotesInput, required: true, description: 'The notes.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, await ctx.services.notes.append(input)),
  }),
  updateCustomerNote: t.field({
    type: UpdateCustomerNotePayload,
    description: "Changes a note's text; its createdTime stays, lastUpdatedTime/By move.",
    args: {
      input: t.arg({ type: UpdateCustomerNoteInput, required: true, description: 'The change.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { note: await ctx.services.notes.update(input) }),
  }),
  deleteCustomerNote: t.field({
    type: DeleteCustomerNotePayload,
    description: 'Deletes a note; deleting it again is NOT_FOUND.',
    args: {
      input: t.arg({ type: DeleteCustomerNoteInput, required: true, description: 'The note.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { deletedNoteId: await ctx.services.notes.remove(input) }),
  }),
}));
