// The unit of work every change to an existing customer goes through: one transaction that
// takes the company's write lock (which yields the write time), finds the customer (NOT_FOUND
// when absent or foreign, FAILED_PRECONDITION when soft-deleted), runs the change, and moves
// the customer's lastUpdatedTime/By when the change changed anything, and appends the change's
// event to the company's stream (services/events.ts) in the same transaction.
import type { CustomerRow, TagRow } from '../db/schema.js';
import { FailedPrecondition, NotFound, StaleVersion } from '../errors.js';
import { orderByKeys } from '../lib/batch.js';
import { isIdOf } from '../lib/ids.js';
import type { CustomerPatch } from '../repositories/customer.js';
import type { Repositories } from '../repositories/index.js';
import { appendEvents, type CustomerEvent, customerChanges, eventTypeOf } from './events.js';
import { type IdempotentCall, idempotently, type KeptResult } from './idempotency.js';
import type { TagRef } from './input-rules.js';
import type { ServiceContext } from './service-context.js';

export interface CustomerChange<T> {
  value: T;
  /** Whether anything was written; a no-op leaves lastUpdatedTime alone. */
  changed: boolean;
  patch?: CustomerPatch;
  /**
   * The change's event: its type and what changed besides the customer's own fields (those are
   * compared here). A change that changes no value appends none.
   */
  event?: CustomerEvent;
}

export interface WriteScope {
  tx: Repositories;
  customer: CustomerRow;
  /** This transaction's write time (taken after the company's write lock). */
  now: string;
  actor: string;
}

export interface ChangeOptions {
  /** An archived customer refuses every change (the default) but its restore. */
  archived?: 'refuse' | 'allow';
  /** The version the client read (`expectedVersion`): another is ABORTED, nothing written. */
  expectedVersion?: number | null | undefined;
}

/** A change made under an idempotency key (services/idempotency.ts). */
export interface IdempotentChange<T, K> {
  call: IdempotentCall | null;
  kept: KeptResult<{ value: T; customer: CustomerRow }, K>;
}

/**
 * One change of one customer, in a transaction under the company's write lock and the customer's
 * row lock: the work's patch written (lastUpdatedTime moved, version + 1) and its event
 * appended. An archived customer refuses every change (FAILED_PRECONDITION) but its restore
 * (`archived: 'allow'`). The expected version is compared under the row lock, so two writers
 * that read the same version cannot both pass.
 */
export async function changeCustomer<T, K = never>(
  serviceContext: ServiceContext,
  customerId: string,
  work: (scope: WriteScope) => Promise<CustomerChange<T>>,
  options: ChangeOptions & { idempotency?: IdempotentChange<T, K> } = {},
): Promise<{ value: T; customer: CustomerRow }> {
  const { idempotency } = options;
  const change = (tx: Repositories) => changeIn(serviceContext, tx, customerId, work, options);
  return serviceContext.repos.transaction((tx) =>
    idempotency
      ? idempotently(serviceContext, tx, idempotency.call, idempotency.kept, () => change(tx))
      : change(tx),
  );
}

async function changeIn<T>(
  { principal, origin }: ServiceContext,
  tx: Repositories,
  customerId: string,
  work: (scope: WriteScope) => Promise<CustomerChange<T>>,
  options: ChangeOptions,
): Promise<{ value: T; customer: CustomerRow }> {
  const now = await tx.company.lockForWrite();
  const current = isIdOf('customer', customerId) ? await tx.customers.lock(customerId) : null;
  if (!current) throw new NotFound('Customer', customerId);
  const expected = options.expectedVersion;
  if (expected != null && current.version !== expected) {
    throw new StaleVersion('Customer', customerId, expected, current.version);
  }
  if (current.erasedTime) {
    throw new FailedPrecondition(
      `Customer ${customerId} was erased (eraseCustomer): it can no longer be changed`,
    );
  }
  if (current.deleted && options.archived !== 'allow') {
    throw new FailedPrecondition(
      `Customer ${customerId} is archived: restore it (restoreCustomer) before changing it`,
    );
  }
  const actor = principal.actorId;
  const { value, changed, patch, event } = await work({ tx, customer: current, now, actor });
  let customer = current;
  if (changed) {
    const updated = await tx.customers.update(current.id, {
      ...patch,
      version: current.version + 1,
      lastUpdatedBy: actor,
      lastUpdatedTime: now,
    });
    if (!updated) throw new NotFound('Customer', customerId);
    customer = updated;
  }
  if (event) {
    const changes = [...customerChanges(current, customer), ...event.changes];
    const type = eventTypeOf(event.type, changes);
    if (changes.length > 0) {
      await appendEvents(tx.events, [{ customerId: current.id, type, changes }], {
        actor,
        requestId: origin.requestId,
        now,
      });
    }
  }
  return { value, customer };
}

/** A customer by ID, in a replay of a call that found or made it (services/idempotency.ts). */
export async function existingCustomer(tx: Repositories, id: string): Promise<CustomerRow> {
  const [customer] = await tx.customers.findByIds([id]);
  if (!customer) throw new NotFound('Customer', id);
  return customer;
}

/**
 * How a change that adds rows to a customer (notes, tags) is kept under an idempotency key: the
 * customer's ID and the rows' IDs, replayed as those rows, in that order.
 */
export function keptRows<R extends { id: string }>(
  find: (tx: Repositories, ids: string[]) => Promise<R[]>,
): KeptResult<{ value: R[]; customer: CustomerRow }, { customerId: string; ids: string[] }> {
  return {
    keep: ({ value, customer }) => ({ customerId: customer.id, ids: value.map((row) => row.id) }),
    replay: async ({ customerId, ids }, tx) => ({
      value: orderByKeys(ids, await find(tx, ids), (row) => row.id).filter(
        (row): row is R => row !== null,
      ),
      customer: await existingCustomer(tx, customerId),
    }),
  };
}

/**
 * The catalog tags a request names, in request order and without repeats: names are found or
 * created, IDs must exist in the company (else NOT_FOUND).
 */
export async function resolveTags(
  tx: Repositories,
  refs: readonly TagRef[],
  actor: string,
  now: string,
): Promise<TagRow[]> {
  const byName = await tx.tags.findOrCreateByNames(namesOf(refs), actor, now);
  const ids = tagIdsOf(refs);
  const byId = ids.length > 0 ? await tx.tags.findByIds(ids) : [];
  const { tags, missing } = tagsOf(refs, byName, byId);
  if (missing) throw new NotFound('Tag', missing);
  return tags;
}

/** The names a request's tag references give. */
export const namesOf = (refs: readonly TagRef[]) =>
  refs.flatMap((ref) => ('name' in ref ? [ref.name] : []));

/** The IDs a request's tag references give (those that can be tag IDs at all). */
export const tagIdsOf = (refs: readonly TagRef[]) =>
  refs.flatMap((ref) => ('id' in ref && isIdOf('tag', ref.id) ? [ref.id] : []));

/**
 * The references' tags in request order, without repeats, from the tags found by name
 * (`requested` beside each) and by ID; `missing` is the first reference found in neither.
 */
export function tagsOf(
  refs: readonly TagRef[],
  byName: readonly (TagRow & { requested: string })[],
  byId: readonly TagRow[],
): { tags: TagRow[]; missing: string | null } {
  const nameMap = new Map(byName.map((tag) => [tag.requested, tag]));
  const idMap = new Map(byId.map((tag) => [tag.id, tag]));
  const resolved = new Map<string, TagRow>();
  for (const ref of refs) {
    const tag = 'name' in ref ? nameMap.get(ref.name) : idMap.get(ref.id);
    if (!tag) return { tags: [], missing: 'id' in ref ? ref.id : ref.name };
    resolved.set(tag.id, tag);
  }
  return { tags: [...resolved.values()], missing: null };
}
