// New customers: createCustomer (one) and createCustomers (1..100 in one call). Both write
// through `insertNewCustomers`, which writes any number of customers with one statement per
// table (customers, compliance trail, addresses, tag links, notes, events), so that a batch of
// 100 costs about what one customer costs, not 100 times it.
//
// A bulk call checks each item alone (its violations are its own), then, under the company's
// write lock: the tags it names by ID, and the quota, item by item in input order. PER_ITEM
// writes the items that passed; ALL_OR_NOTHING writes nothing when one failed. A call that
// writes nothing rolls back, its idempotency key with it (a failed call keeps no key).
import type { CustomerRow, TagRow } from '../db/schema.js';
import { type ErrorCode, ResourceExhausted } from '../errors.js';
import { newId } from '../lib/ids.js';
import type { Repositories } from '../repositories/index.js';
import { complianceDiff, complianceService } from './compliance.js';
import { existingCustomer, namesOf, resolveTags, tagIdsOf, tagsOf } from './customer-write.js';
import { addressChanges, appendEvents, customerChanges, noteChange, tagChanges } from './events.js';
import { idempotentCall, idempotently } from './idempotency.js';
import {
  type CreateCustomerInput,
  type CreateCustomersInput,
  createCustomerInput,
  createCustomersInput,
  type ParsedCreateCustomer,
  parse,
  violationsOf,
} from './input-rules.js';
import { requireOwnCompany, type ServiceContext } from './service-context.js';

/** A problem with one item of a bulk call: the code it would have failed with alone. */
export interface UserError {
  code: ErrorCode;
  /** Path inside the item (`phone`, `tags[1].name`); null for the item as a whole. */
  field: string | null;
  message: string;
}

export interface CreateCustomerResult {
  index: number;
  customer: CustomerRow | null;
  errors: UserError[];
}

export interface CreateCustomersResult {
  results: CreateCustomerResult[];
  createdCount: number;
}

/** A customer to write: its parsed input and its tags, found or created. */
interface NewCustomer {
  input: ParsedCreateCustomer;
  tags: TagRow[];
}

/** What a bulk call keeps under its idempotency key: IDs and item errors, no personal value. */
interface KeptBulk {
  results: { customerId: string | null; errors: UserError[] }[];
}

/** Unwinds a bulk call's transaction that writes nothing, with the answer it gives. */
class NothingWritten extends Error {
  constructor(readonly result: CreateCustomersResult) {
    super('the bulk call wrote nothing');
  }
}

export function customerCreation(serviceContext: ServiceContext) {
  const { principal, repos, customerQuota, origin } = serviceContext;
  const audit = complianceService(serviceContext);
  const actor = principal.actorId;
  const quotaReached = () =>
    `Company ${principal.companyId} has reached its quota of ${customerQuota} customers`;

  /** Writes the customers (already counted in the quota), one statement per table. */
  async function insertNewCustomers(
    tx: Repositories,
    items: readonly NewCustomer[],
    now: string,
  ): Promise<CustomerRow[]> {
    const sources = [
      ...new Set(items.flatMap(({ input }) => (input.source === null ? [] : [input.source]))),
    ];
    const sourceIds = await tx.referralSources.findOrCreateByNames(sources);
    const ids = items.map(() => newId('customer'));
    const rows = await tx.customers.insertMany(
      items.map(({ input }, i) => {
        const {
          companyId: _companyId,
          idempotencyKey: _key,
          address: _address,
          tags: _tags,
          notes: _notes,
          preference,
          complianceConfig,
          ...fields
        } = input;
        return {
          ...fields,
          id: ids[i]!,
          referralSourceId: fields.source === null ? null : sourceIds.get(fields.source)!.id,
          ...preference,
          ...complianceConfig,
          createdBy: actor,
          createdTime: now,
          lastUpdatedBy: actor,
          lastUpdatedTime: now,
        };
      }),
    );
    const notes = items.map(({ input }, i) =>
      input.notes.added.map((note) => ({ id: newId('note'), customerId: ids[i]!, note })),
    );
    // The trail starts with every field's first value, consent above all.
    await audit.recordMany(
      tx,
      items.map(({ input }, i) => ({
        customerId: ids[i]!,
        diffs: complianceDiff(null, { ...input.complianceConfig }),
      })),
      now,
    );
    await tx.addresses.insertMany(
      items.flatMap(({ input: { address } }, i) =>
        address ? [{ customerId: ids[i]!, type: address.type, fields: address.fields }] : [],
      ),
      now,
    );
    await tx.tags.linkMany(
      items.flatMap(({ tags }, i) => tags.map((tag) => ({ customerId: ids[i]!, tagId: tag.id }))),
      actor,
      now,
    );
    await tx.notes.insertMany(notes.flat(), actor, now);
    await appendEvents(
      tx.events,
      items.map(({ input: { address }, tags }, i) => ({
        customerId: ids[i]!,
        type: 'CUSTOMER_CREATED' as const,
        changes: [
          ...customerChanges(null, rows[i]!),
          ...(address?.type === 'PRIMARY' ? addressChanges(null, address.fields) : []),
          ...tagChanges(tags, []),
          ...notes[i]!.map((note) => noteChange(note.id, null, note.note)),
        ],
      })),
      { actor, requestId: origin.requestId, now },
    );
    return rows;
  }

  /** Each item's own violations (none: an empty list) and, when it parses, its parsed form. */
  function checkItems(input: { companyId: string; customers: readonly CreateCustomerInput[] }) {
    const phones = new Map<string, number>();
    return input.customers.map((item, index) => {
      const errors: UserError[] = [];
      const invalid = (field: string, message: string) =>
        errors.push({ code: 'INVALID_ARGUMENT', field, message });
      if (item.companyId !== input.companyId) invalid('companyId', 'must equal input.companyId');
      if (item.idempotencyKey != null) {
        invalid(
          'idempotencyKey',
          'is set on the call (input.idempotencyKey), not on its items: one key covers the batch',
        );
      }
      const parsed = createCustomerInput.safeParse(item);
      if (!parsed.success) {
        for (const v of violationsOf(parsed.error, '')) invalid(v.field, v.description);
      }
      // A phone that repeats an earlier item's is reported, not merged: one of them is a mistake.
      const phone = createCustomerInput.shape.phone.safeParse(item.phone);
      if (phone.success) {
        const first = phones.get(phone.data);
        if (first === undefined) phones.set(phone.data, index);
        else invalid('phone', `is the phone of item ${first} of this call`);
      }
      return { index, errors, parsed: parsed.success ? parsed.data : null };
    });
  }

  return {
    /** CreateCustomer: the customer with its address, tags and notes, in one transaction. */
    async create(input: CreateCustomerInput): Promise<CustomerRow> {
      requireOwnCompany(principal, input.companyId, 'input.companyId');
      const parsed = parse(createCustomerInput, input, 'input');
      const call = idempotentCall('createCustomer', input);
      const kept = {
        keep: (customer: CustomerRow) => ({ customerId: customer.id }),
        replay: (k: { customerId: string }, tx: Repositories) => existingCustomer(tx, k.customerId),
      };
      return repos.transaction((tx) =>
        idempotently(serviceContext, tx, call, kept, async () => {
          const now = await tx.company.reserveCustomers(1, customerQuota);
          if (now === null) throw new ResourceExhausted(quotaReached());
          const tags = await resolveTags(tx, parsed.tags, actor, now);
          const [customer] = await insertNewCustomers(tx, [{ input: parsed, tags }], now);
          return customer!;
        }),
      );
    },

    /**
     * CreateCustomers: 1..100 customers in one transaction, a result per item in input order.
     * Items are checked alone, then the quota is taken item by item in input order.
     */
    async createMany(input: CreateCustomersInput): Promise<CreateCustomersResult> {
      requireOwnCompany(principal, input.companyId, 'input.companyId');
      const { mode } = parse(createCustomersInput, input, 'input');
      const call = idempotentCall('createCustomers', input);
      const items = checkItems(input);
      const kept = {
        keep: ({ results }: CreateCustomersResult): KeptBulk => ({
          results: results.map(({ customer, errors }) => ({
            customerId: customer?.id ?? null,
            errors,
          })),
        }),
        replay: async ({ results }: KeptBulk, tx: Repositories) => {
          const ids = results.flatMap(({ customerId }) => (customerId ? [customerId] : []));
          const found = new Map((await tx.customers.findByIds(ids)).map((row) => [row.id, row]));
          return {
            results: results.map(({ customerId, errors }, index) => ({
              index,
              customer: customerId ? (found.get(customerId) ?? null) : null,
              errors,
            })),
            createdCount: ids.length,
          };
        },
      };
      try {
        return await repos.transaction((tx) =>
          idempotently(serviceContext, tx, call, kept, async () => {
            const { now, customerCount } = await tx.company.lockForCreate();
            const valid = () => items.filter((item) => item.errors.length === 0);
            // Tags named by ID must exist (names are found or created once the items are known).
            const ids = [...new Set(valid().flatMap((item) => tagIdsOf(item.parsed!.tags)))];
            const byId = ids.length > 0 ? await tx.tags.findByIds(ids) : [];
            for (const item of valid()) {
              const { missing } = tagsOf(
                item.parsed!.tags.filter((ref) => 'id' in ref),
                [],
                byId,
              );
              if (missing) {
                item.errors.push({
                  code: 'NOT_FOUND',
                  field: 'tags',
                  message: `Tag ${JSON.stringify(missing)} was not found`,
                });
              }
            }
            let free = customerQuota - customerCount;
            for (const item of valid()) {
              if (free > 0) free -= 1;
              else
                item.errors.push({
                  code: 'RESOURCE_EXHAUSTED',
                  field: null,
                  message: quotaReached(),
                });
            }
            const creating = valid();
            const results = items.map(({ index, errors }) => ({
              index,
              customer: null as CustomerRow | null,
              errors,
            }));
            if (
              creating.length === 0 ||
              (mode === 'ALL_OR_NOTHING' && creating.length < items.length)
            ) {
              throw new NothingWritten({ results, createdCount: 0 });
            }
            await tx.company.addCustomers(creating.length);
            const names = [...new Set(creating.flatMap((item) => namesOf(item.parsed!.tags)))];
            const byName = await tx.tags.findOrCreateByNames(names, actor, now);
            const rows = await insertNewCustomers(
              tx,
              creating.map((item) => ({
                input: item.parsed!,
                tags: tagsOf(item.parsed!.tags, byName, byId).tags,
              })),
              now,
            );
            creating.forEach((item, i) => {
              results[item.index]!.customer = rows[i]!;
            });
            return { results, createdCount: rows.length };
          }),
        );
      } catch (error) {
        if (error instanceof NothingWritten) return error.result;
        throw error;
      }
    },
  };
}

export type CustomerCreation = ReturnType<typeof customerCreation>;
