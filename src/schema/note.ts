import type { NoteRow } from '../db/schema.js';
import { builder } from './builder.js';
import { connection, Node } from './common.js';

export const CustomerNote = builder.objectRef<NoteRow>('CustomerNote').implement({
  authScopes: { 'customers:read': true },
  description: 'A note about a customer, written by staff.',
  interfaces: [Node],
  fields: (t) => ({
    note: t.exposeString('note', { description: 'The text of the note.' }),
    version: t.exposeInt('version', {
      description: '+1 on every edit; send it back as expectedVersion.',
    }),
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

export const CustomerNoteConnection = connection('CustomerNote', CustomerNote, {
  connection: "A page of a customer's notes, newest first.",
  edge: 'A note and its cursor.',
  totalCount: 'All notes of the customer; counted only when selected.',
});
