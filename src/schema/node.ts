// node(id) and nodes(ids): any object by its type-prefixed ID. Unknown, foreign and malformed
// IDs answer null with a NOT_FOUND error at their position, as GitHub's API does.

import type { Context } from '../context.js';
import { InvalidArgument, NotFound } from '../errors.js';
import { kindOfId, MAX_IDS_PER_REQUEST } from '../lib/ids.js';
import { builder } from './builder.js';
import { idsCost, Node } from './common.js';

async function loadNode(ctx: Context, id: string) {
  const kind = kindOfId(id);
  const loader =
    kind === 'customer'
      ? ctx.loaders.customers
      : kind === 'note'
        ? ctx.loaders.notes
        : kind === 'tag'
          ? ctx.loaders.tags
          : kind === 'event'
            ? ctx.loaders.events
            : null;
  const node = loader ? await loader.load(id) : null;
  if (!node) throw new NotFound('Node', id);
  return node;
}

builder.queryFields((t) => ({
  node: t.field({
    type: Node,
    nullable: true,
    description: 'Any object by its ID; null plus NOT_FOUND when absent or in another company.',
    args: { id: t.arg.id({ required: true, description: 'A type-prefixed ID.' }) },
    resolve: (_root, { id }, ctx) => loadNode(ctx, id),
  }),
  nodes: t.field({
    type: [Node],
    nullable: { list: false, items: true },
    description:
      'Objects by ID, in the order asked (at most 500); null plus NOT_FOUND where absent.',
    complexity: idsCost,
    args: { ids: t.arg.idList({ required: true, description: 'Type-prefixed IDs.' }) },
    resolve: (_root, { ids }, ctx) => {
      if (ids.length > MAX_IDS_PER_REQUEST) {
        throw InvalidArgument.of('ids', `must have at most ${MAX_IDS_PER_REQUEST} items`);
      }
      return ids.map((id) => loadNode(ctx, id));
    },
  }),
}));
