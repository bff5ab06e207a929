// Tags: a per-company catalog (names unique case-insensitively, the first spelling wins) and
// the tags applied to each customer. Applying a tag the customer already has is a no-op, also
// under concurrent appends: unique constraints with ON CONFLICT, never read-then-write.
import type { CustomerRow, TagRow } from '../db/schema.js';
import { changeCustomer, resolveTags } from './customer-write.js';
import { tagChanges } from './events.js';
import { type AppendCustomerTagsInput, appendCustomerTagsInput, parse } from './input-rules.js';
import type { ServiceContext } from './service-context.js';

export function tagService(serviceContext: ServiceContext) {
  return {
    /**
     * AppendCustomerTags: applies 1..100 tags by name (found or created) or ID (must exist in the
     * company). Returns each requested tag as applied, in request order without repeats.
     */
    async append(
      input: AppendCustomerTagsInput,
    ): Promise<{ tags: TagRow[]; customer: CustomerRow }> {
      const { tags: refs } = parse(appendCustomerTagsInput, input, 'input');
      const { value, customer } = await changeCustomer(
        serviceContext,
        input.customerId,
        async ({ tx, customer: current, actor, now }) => {
          const tags = await resolveTags(tx, refs, actor, now);
          const linked = await tx.tags.link(
            current.id,
            tags.map((tag) => tag.id),
            actor,
            now,
          );
          // Tags the customer already had change nothing, and leave lastUpdatedTime alone.
          const applied = new Set(linked);
          return {
            value: tags,
            changed: linked.length > 0,
            event: {
              type: 'CUSTOMER_TAGS_APPLIED',
              changes: tagChanges(
                tags.filter((tag) => applied.has(tag.id)),
                [],
              ),
            },
          };
        },
      );
      return { tags: value, customer };
    },
  };
}

export type TagService = ReturnType<typeof tagService>;
