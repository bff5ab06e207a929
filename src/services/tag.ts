// Tags: a per-company catalog (names unique case-insensitively, the first spelling wins) and
// the tags applied to each customer. Applying a tag the customer already has is a no-op, also
// under concurrent appends: unique constraints with ON CONFLICT, never read-then-write.
import type { CustomerRow, ReferralSourceRow, TagRow } from '../db/schema.js';
import { InvalidArgument, NotFound, Violations } from '../errors.js';
import { isIdOf } from '../lib/ids.js';
import { type Page, type PageArgs, pageRequest, toPage } from '../lib/page.js';
import { changeCustomer, keptRows, resolveTags } from './customer-write.js';
import { appendEvents, tagChanges } from './events.js';
import { idempotentCall } from './idempotency.js';
import {
  type AppendCustomerTagsInput,
  appendCustomerTagsInput,
  parse,
  type RemoveCustomerTagsInput,
  type RenameTagInput,
  removeCustomerTagsInput,
  renameTagInput,
  tagQueryInput,
  violationsOf,
} from './input-rules.js';
import { requireOwnCompany, type ServiceContext } from './service-context.js';

export interface ListTagsArgs extends PageArgs {
  companyId: string;
  query?: string | null;
}

export function tagService(serviceContext: ServiceContext) {
  const { principal, repos, origin } = serviceContext;
  const actor = principal.actorId;

  return {
    /**
     * The company's tag catalog in name order, keyset-paged; `query` keeps the names containing
     * it (case-insensitively, literally: `%` and `_` are themselves).
     */
    async catalog(args: ListTagsArgs): Promise<Page<TagRow>> {
      requireOwnCompany(principal, args.companyId, 'companyId');
      const v = new Violations();
      const query = tagQueryInput.safeParse(args.query);
      if (!query.success) v.addAll(violationsOf(query.error, 'query'));
      const contains = query.success && query.data ? query.data.toLowerCase() : null;
      const scope = ['tags', principal.companyId, 'name,id', contains ?? ''].join('|');
      const request = pageRequest(scope, args, v);
      const rows = await repos.tags.page(contains, request.after?.id ?? null, request.first + 1);
      return toPage(
        scope,
        request,
        rows,
        () => 0,
        () => repos.tags.count(contains),
      );
    },

    /** The company's referral sources, ordered by name. */
    referralSources(companyId: string): Promise<ReferralSourceRow[]> {
      requireOwnCompany(principal, companyId, 'companyId');
      return repos.referralSources.list();
    },

    /**
     * renameTag: the name trimmed, unique in the company case-insensitively (another tag's name is
     * INVALID_ARGUMENT naming that tag; a change of case alone is a rename). The customers carrying
     * it are not changed: they carry the same tag, whose name is read with it.
     */
    async rename(input: RenameTagInput): Promise<TagRow> {
      const { id, name } = parse(renameTagInput, input, 'input');
      const clash = async (tx: typeof repos) => {
        const other = await tx.tags.findByName(name);
        return other && other.id !== id
          ? InvalidArgument.of('input.name', `another tag (${other.id}) is named "${other.name}"`)
          : null;
      };
      try {
        // Under the company's write lock, which every write creating tags takes: the check and
        // the rename see the same catalog.
        return await repos.transaction(async (tx) => {
          const now = await tx.company.lockForWrite();
          const other = await clash(tx);
          if (other) throw other;
          const renamed = isIdOf('tag', id) ? await tx.tags.rename(id, name, actor, now) : null;
          if (!renamed) throw new NotFound('Tag', id);
          return renamed;
        });
      } catch (error) {
        // The unique index, should a write reach the catalog without the lock.
        if ((error as { cause?: { code?: string } }).cause?.code === '23505') {
          throw (await clash(repos)) ?? error;
        }
        throw error;
      }
    },

    /**
     * deleteTag: off every customer carrying it (archived ones too), in one transaction that
     * moves their lastUpdatedTime and appends one CUSTOMER_TAGS_REMOVED event each; then out of
     * the catalog.
     */
    async remove(id: string): Promise<string> {
      await repos.transaction(async (tx) => {
        const now = await tx.company.lockForWrite();
        const removed = isIdOf('tag', id) ? await tx.tags.remove(id) : null;
        if (!removed) throw new NotFound('Tag', id);
        await tx.customers.touch(removed.customerIds, actor, now);
        await appendEvents(
          tx.events,
          removed.customerIds.map((customerId) => ({
            customerId,
            type: 'CUSTOMER_TAGS_REMOVED' as const,
            changes: tagChanges([], [removed.tag]),
          })),
          { actor, requestId: origin.requestId, now },
        );
      });
      return id;
    },

    /**
     * removeCustomerTags: takes the tags off the customer. Idempotent: a tag it does not carry
     * (or no tag at all) changes nothing, and a call that removes none leaves lastUpdatedTime
     * alone and appends no event.
     */
    async removeFromCustomer(
      input: RemoveCustomerTagsInput,
    ): Promise<{ removedTagIds: string[]; customer: CustomerRow }> {
      const { customerId, tagIds } = parse(removeCustomerTagsInput, input, 'input');
      const { value, customer } = await changeCustomer(
        serviceContext,
        customerId,
        async ({ tx, customer: current }) => {
          const wanted = [...new Set(tagIds)].filter((tagId) => isIdOf('tag', tagId));
          const tags = wanted.length > 0 ? await tx.tags.findByIds(wanted) : [];
          const removed = new Set(await tx.tags.unlink(current.id, wanted));
          const removedTags = tags.filter((tag) => removed.has(tag.id));
          return {
            value: removedTags.map((tag) => tag.id),
            changed: removedTags.length > 0,
            event: { type: 'CUSTOMER_TAGS_REMOVED', changes: tagChanges([], removedTags) },
          };
        },
      );
      return { removedTagIds: value, customer };
    },

    /**
     * AppendCustomerTags: applies 1..100 tags by name (found or created) or ID (must exist in the
     * company). Returns each requested tag as applied, in request order without repeats.
     */
    async append(
      input: AppendCustomerTagsInput,
    ): Promise<{ tags: TagRow[]; customer: CustomerRow }> {
      const { tags: refs } = parse(appendCustomerTagsInput, input, 'input');
      const call = idempotentCall('appendCustomerTags', input);
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
        { idempotency: { call, kept: keptRows((tx, ids) => tx.tags.findByIds(ids)) } },
      );
      return { tags: value, customer };
    },
  };
}

export type TagService = ReturnType<typeof tagService>;
