// Customers: list, update, archive (creating them: customer-create.ts). Every write parses the whole request first (input-rules.ts:
// all violations at once), then runs in one transaction that starts by taking the company's write
// lock, which also yields the write time.
import type { CustomerRow } from '../db/schema.js';
import { NotFound, Violations } from '../errors.js';
import { newId } from '../lib/ids.js';
import { type Page, pageRequest, toPage } from '../lib/page.js';
import {
  type CustomerListFilter,
  type CustomerOrder,
  type CustomerOrderField,
  type CustomerPatch,
  type SearchWord,
  SYNC_ORDER,
} from '../repositories/customer.js';
import type { Repositories } from '../repositories/index.js';
import { complianceDiff, complianceService } from './compliance.js';
import { customerCreation } from './customer-create.js';
import { changeCustomer, resolveTags } from './customer-write.js';
import { addressChanges, type FieldChange, noteChange, tagChanges } from './events.js';
import {
  type ArchiveCustomerInput,
  archiveCustomerInput,
  type CustomerFilterInput,
  customerFilterInput,
  type ParsedAddress,
  parse,
  type UpdateCustomerInput,
  updateCustomerInput,
  violationsOf,
} from './input-rules.js';
import { requireOwnCompany, type ServiceContext } from './service-context.js';

export interface ListCustomersArgs {
  companyId: string;
  first: number;
  after?: string | null;
  filter?: CustomerFilterInput;
  orderBy?: { field: CustomerOrderField; direction?: 'ASC' | 'DESC' | null } | null;
}

/** The most words of a query that are searched for (the rest are ignored). */
const MAX_SEARCH_WORDS = 8;

/**
 * A search box's words: split on spaces, lower-cased, LIKE's wildcards escaped (so that `%` and
 * `_` are themselves). Digits (with the punctuation of a phone number) search the phone; words of
 * 1-2 letters (accents aside) match the start of a word; longer ones tolerate typos; words with
 * other characters (an e-mail, `50%`) are matched as they are.
 */
export function searchWords(query: string): SearchWord[] {
  return query
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .slice(0, MAX_SEARCH_WORDS)
    .map((word): SearchWord => {
      const digits = word.replace(/[+()\-.]/g, '');
      if (/^\d{3,}$/.test(digits)) return { kind: 'digits', value: digits };
      const value = word.toLowerCase().replace(/[\\%_]/g, '\\$&');
      const letters = word.normalize('NFD').replace(/\p{M}/gu, '');
      if (/[^\p{L}\p{N}]/u.test(letters)) return { kind: 'exact', value };
      return { kind: letters.length <= 2 ? 'short' : 'text', value };
    });
}

/** What a cursor of ListCustomers is bound to: the company, the order and the filter. */
export function customerListScope(
  companyId: string,
  filter: CustomerListFilter,
  order: CustomerOrder = SYNC_ORDER,
): string {
  // The sync order with the first filters is spelt as it was before orders and the other filters
  // existed: the cursors a client holds across a deploy stay valid. The later parts are named,
  // and present only when given.
  const later = [
    filter.status && `status=${filter.status}`,
    filter.preferredBusinessId && `business=${filter.preferredBusinessId}`,
    filter.tagIds && `tags=${filter.tagIds.join(',')}`,
    filter.includeArchived && 'archived',
    filter.search && `query=${filter.search.map((word) => `${word.kind}:${word.value}`).join(' ')}`,
  ].filter((part): part is string => typeof part === 'string');
  return [
    'customers',
    companyId,
    order === SYNC_ORDER ? 'lastUpdatedTime,id' : `${order.field},${order.direction}`,
    filter.updatedFrom ?? '',
    filter.updatedBefore ?? '',
    filter.phone ?? '',
    ...later,
  ].join('|');
}

/** The order asked for; the sync order when none is. */
function listOrder(orderBy: ListCustomersArgs['orderBy']): CustomerOrder {
  if (!orderBy) return SYNC_ORDER;
  const direction = orderBy.direction ?? 'ASC';
  return orderBy.field === SYNC_ORDER.field && direction === SYNC_ORDER.direction
    ? SYNC_ORDER
    : { field: orderBy.field, direction };
}

/** The row's position in the order, for its cursor (NAME: the ID alone, names are read back). */
const sortKeyOf =
  (order: CustomerOrder) =>
  (row: CustomerRow): string | number =>
    order.field === 'NAME'
      ? 0
      : order.field === 'CREATED_TIME'
        ? row.createdTime
        : row.lastUpdatedTime;

export function customerService(serviceContext: ServiceContext) {
  const { principal, repos } = serviceContext;
  const audit = complianceService(serviceContext);
  const actor = principal.actorId;

  async function writeAddress(
    tx: Repositories,
    customerId: string,
    address: ParsedAddress,
    now: string,
  ) {
    if (address.type === 'PRIMARY')
      await tx.addresses.upsertPrimary(customerId, address.fields, now);
    else await tx.addresses.insertSecondary(customerId, address.fields, now);
  }

  async function referralSourceId(tx: Repositories, source: string | null): Promise<string | null> {
    return source === null ? null : (await tx.referralSources.findOrCreateByName(source)).id;
  }

  /** The list's filter as the repository takes it; its violations go to `v`. */
  function listFilter(args: ListCustomersArgs, v: Violations): CustomerListFilter {
    const parsed = customerFilterInput.safeParse(args.filter);
    if (!parsed.success) {
      v.addAll(violationsOf(parsed.error, 'filter'));
      return {};
    }
    const {
      query,
      lastUpdatedTime,
      mainPhoneNumber,
      status,
      preferredBusinessId,
      tagIds,
      includeArchived,
    } = parsed.data ?? {};
    const filter: CustomerListFilter = {};
    if (lastUpdatedTime?.startTime) filter.updatedFrom = lastUpdatedTime.startTime.toISOString();
    if (lastUpdatedTime?.endTime) filter.updatedBefore = lastUpdatedTime.endTime.toISOString();
    if (mainPhoneNumber) filter.phone = mainPhoneNumber;
    if (status) filter.status = status;
    if (preferredBusinessId) filter.preferredBusinessId = preferredBusinessId;
    // Sorted and distinct: one scope (and one count) for the same set, however it is spelled.
    // Another company's tag IDs match nothing: its customers are not this company's.
    if (tagIds && tagIds.length > 0) filter.tagIds = [...new Set(tagIds)].sort();
    if (includeArchived) filter.includeArchived = true;
    // A blank search box searches for nothing: the list as it is.
    const words = query ? searchWords(query) : [];
    if (words.length > 0) filter.search = words;
    return filter;
  }

  return {
    /** ListCustomers: keyset pages in the order asked ((lastUpdatedTime, id) by default). */
    async list(args: ListCustomersArgs): Promise<Page<CustomerRow>> {
      requireOwnCompany(principal, args.companyId, 'companyId');
      const v = new Violations();
      const filter = listFilter(args, v);
      const count = () => repos.customers.count(filter);
      const { search } = filter;
      if (search && !args.orderBy) {
        // Best matches first: cursors hold the rank (bound to the query by the scope).
        const scope = `${customerListScope(principal.companyId, filter)}|rank`;
        const request = pageRequest(scope, args, v);
        const rows = await repos.customers.ranked(
          { ...filter, search },
          request.after,
          request.first + 1,
        );
        return toPage(scope, request, rows, (row) => row.searchRank, count);
      }
      const order = listOrder(args.orderBy);
      const scope = customerListScope(principal.companyId, filter, order);
      const request = pageRequest(scope, args, v);
      const rows = await repos.customers.page(filter, order, request.after, request.first + 1);
      return toPage(scope, request, rows, sortKeyOf(order), count);
    },

    ...customerCreation(serviceContext),

    /**
     * ArchiveCustomer (true) and RestoreCustomer (false): the upstream's deactivation. An archived
     * customer leaves the lists (unless includeArchived), stays readable by ID, refuses changes
     * and keeps counting toward the quota. Archiving an archived customer (or restoring an
     * active one) changes nothing and appends no event.
     */
    async setArchived(input: ArchiveCustomerInput, archived: boolean): Promise<CustomerRow> {
      const { id, expectedVersion } = parse(archiveCustomerInput, input, 'input');
      const { customer } = await changeCustomer(
        serviceContext,
        id,
        async ({ customer: current }) => ({
          value: undefined,
          changed: current.deleted !== archived,
          patch: { deleted: archived },
          event: { type: archived ? 'CUSTOMER_ARCHIVED' : 'CUSTOMER_RESTORED', changes: [] },
        }),
        { archived: 'allow', expectedVersion },
      );
      return customer;
    },

    /**
     * UpdateCustomer: absent fields keep their value, null clears a clearable one; the address
     * replaces the PRIMARY one, tags become the given set, notes are appended or edited.
     */
    async update(input: UpdateCustomerInput): Promise<CustomerRow> {
      requireOwnCompany(principal, input.companyId, 'input.companyId');
      const {
        id,
        companyId: _companyId,
        expectedVersion,
        address,
        tags,
        notes,
        preference,
        complianceConfig,
        source,
        ...fields
      } = parse(updateCustomerInput, input, 'input');
      // Absent fields are undefined, which the update leaves alone.
      const patch: CustomerPatch = { ...fields, ...preference, ...complianceConfig };

      const { customer } = await changeCustomer(
        serviceContext,
        id,
        async ({ tx, customer: current, now }) => {
          await audit.record(tx, current.id, complianceDiff(current, patch), now);
          const changes: FieldChange[] = [];
          if (source !== undefined) {
            patch.source = source;
            patch.referralSourceId = await referralSourceId(tx, source);
          }
          if (address !== undefined) {
            const [before] = (await tx.addresses.listByCustomerIds([current.id])).filter(
              (row) => row.type === 'PRIMARY',
            );
            if (address === null) await tx.addresses.deletePrimary(current.id);
            else await writeAddress(tx, current.id, address, now);
            if (address === null || address.type === 'PRIMARY') {
              changes.push(...addressChanges(before, address?.fields ?? null));
            }
          }
          if (tags !== undefined) {
            const wanted = await resolveTags(tx, tags, actor, now);
            const tagIds = wanted.map((tag) => tag.id);
            const removedIds = await tx.tags.unlinkAllBut(current.id, tagIds);
            const linked = new Set(await tx.tags.link(current.id, tagIds, actor, now));
            const removed = removedIds.length > 0 ? await tx.tags.findByIds(removedIds) : [];
            changes.push(
              ...tagChanges(
                wanted.filter((tag) => linked.has(tag.id)),
                removed,
              ),
            );
          }
          if (notes !== undefined) {
            for (const edit of notes.edited) {
              const edited = await tx.notes.updateText(current.id, edit.id, edit.note, actor, now);
              if (!edited) throw new NotFound('Note', edit.id);
              if (edited.oldNote !== edit.note) {
                changes.push(noteChange(edit.id, edited.oldNote, edit.note));
              }
            }
            const added = notes.added.map((note) => ({
              id: newId('note'),
              customerId: current.id,
              note,
            }));
            await tx.notes.insertMany(added, actor, now);
            changes.push(...added.map((note) => noteChange(note.id, null, note.note)));
          }
          // Every successful update moves lastUpdatedTime, even one that changes no value (which
          // appends no event).
          return {
            value: null,
            changed: true,
            patch,
            event: { type: 'CUSTOMER_UPDATED', changes },
          };
        },
        { expectedVersion },
      );
      return customer;
    },
  };
}

export type CustomerService = ReturnType<typeof customerService>;
