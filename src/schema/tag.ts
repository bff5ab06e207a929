import type { TagRow } from '../db/schema.js';
import { builder } from './builder.js';
import { Node } from './common.js';

export const CustomerTag = builder.loadableObject(builder.objectRef<TagRow>('CustomerTag'), {
  description: 'A company-level label; applying the same name twice to a customer is a no-op.',
  interfaces: [Node],
  load: (ids: string[], ctx) => ctx.services.tags.findByIds(ids),
  sort: (tag) => tag.id,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique in the company, case-insensitively.' }),
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
