import type { NoteRow } from '../db/schema.js';
import { builder } from './builder.js';

export const CustomerNote = builder.loadableNode(builder.objectRef<NoteRow>('CustomerNote'), {
  description: 'A note about a customer, written by staff.',
  id: { resolve: (note) => note.id },
  load: (ids: string[], ctx) => ctx.services.notes.findByIds(ids),
  sort: (note) => note.id,
  fields: (t) => ({
    note: t.exposeString('note', { description: 'The text of the note.' }),
    createdBy: t.exposeID('createdBy', {
      nullable: true,
      description: 'Staff ID or API key ID that wrote it.',
    }),
    createdTime: t.expose('createdTime', { type: 'DateTime', description: 'When it was written.' }),
    lastUpdatedBy: t.exposeID('lastUpdatedBy', {
      nullable: true,
      description: 'Who changed it last.',
    }),
    lastUpdatedTime: t.expose('lastUpdatedTime', {
      type: 'DateTime',
      description: 'When it was changed last.',
    }),
  }),
});

export const CustomerNoteConnection = builder.connectionObject(
  {
    type: CustomerNote,
    name: 'CustomerNoteConnection',
    description: "A page of a customer's notes, newest first.",
    fields: (t) => ({
      totalCount: t.int({
        description: 'All notes of the customer; counted only when selected.',
        resolve: (connection) => connection.totalCount(),
      }),
    }),
  },
  { name: 'CustomerNoteEdge', description: 'A note and its cursor.' },
);
