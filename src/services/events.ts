// Change events: what each write appends to its company's stream (in the write's transaction,
// so a rolled-back write leaves none), with field-level changes, and the stream read back as
// customerEvents: oldest first, resumable from any event's position.
// Yoga's own Repeater (graphql-yoga re-exports it), taken from its package: services know no GraphQL.
import { Repeater } from '@repeaterjs/repeater';
import type { AddressRow, CustomerEventRow, CustomerRow, TagRow } from '../db/schema.js';
import { FailedPrecondition } from '../errors.js';
import { encodeCursor } from '../lib/cursor.js';
import { isIdOf, newId } from '../lib/ids.js';
import { type Page, type PageArgs, pageRequest, toPage } from '../lib/page.js';
import type { AddressFields } from '../repositories/address.js';
import type { EventRepository, StreamFilter } from '../repositories/event.js';
import { requireOwnCompany, type ServiceContext } from './service-context.js';

export const EVENT_TYPES = [
  'CUSTOMER_CREATED',
  'CUSTOMER_UPDATED',
  'CUSTOMER_ARCHIVED',
  'CUSTOMER_RESTORED',
  'CUSTOMER_ERASED',
  'CUSTOMER_NOTES_APPENDED',
  'CUSTOMER_NOTE_UPDATED',
  'CUSTOMER_NOTE_DELETED',
  'CUSTOMER_TAGS_APPLIED',
  'CUSTOMER_TAGS_REMOVED',
  'CUSTOMER_COMPLIANCE_CHANGED',
  'CUSTOMER_COF_LINK_GENERATED',
  'CUSTOMER_COF_LINK_REDEEMED',
] as const satisfies readonly string[];
export type EventType = (typeof EVENT_TYPES)[number];

/** One field changing value; `field` is its path in the GraphQL Customer (`address.city`). */
export interface FieldChange {
  field: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface CustomerEvent {
  type: EventType;
  changes: FieldChange[];
}

/**
 * An update that changed only compliance fields is a CUSTOMER_COMPLIANCE_CHANGED (the upstream's
 * webhook); one that changed others too stays CUSTOMER_UPDATED, with the compliance changes in it.
 */
export function eventTypeOf(type: EventType, changes: readonly FieldChange[]): EventType {
  return type === 'CUSTOMER_UPDATED' &&
    changes.length > 0 &&
    changes.every((change) => change.field.startsWith('complianceConfig.'))
    ? 'CUSTOMER_COMPLIANCE_CHANGED'
    : type;
}

/** The customer's own fields, by their GraphQL paths. */
const CUSTOMER_FIELDS: readonly [keyof CustomerRow, string][] = [
  ['preferredBusinessId', 'preferredBusinessId'],
  ['firstName', 'firstName'],
  ['lastName', 'lastName'],
  ['avatarPath', 'avatar'],
  ['phone', 'phone'],
  ['email', 'email'],
  ['status', 'status'],
  ['colorCode', 'colorCode'],
  ['source', 'source'],
  ['receiveAutoMessage', 'preference.receiveAutoMessage'],
  ['receiveAutoEmail', 'preference.receiveAutoEmail'],
  ['subscribeToMarketingEmails', 'preference.subscribeToMarketingEmails'],
  ['receiveAppointmentReminder', 'preference.receiveAppointmentReminder'],
  ['serviceRelatedChannels', 'complianceConfig.serviceRelatedChannels'],
  ['marketingCampaignsChannels', 'complianceConfig.marketingCampaignsChannels'],
  ['brandedAppEnabled', 'complianceConfig.brandedAppEnabled'],
  ['isAgreedMarketingPolicy', 'complianceConfig.isAgreedMarketingPolicy'],
  ['isConsented', 'complianceConfig.isConsented'],
  ['lastAppointmentDate', 'lastAppointmentDate'],
  ['nextAppointmentDate', 'nextAppointmentDate'],
  ['upcomingAppointmentsUrl', 'upcomingAppointmentsUrl'],
  ['deleted', 'deleted'],
];

const ADDRESS_FIELDS: readonly (keyof AddressFields)[] = [
  'address1',
  'address2',
  'city',
  'state',
  'postalCode',
  'country',
  'latitude',
  'longitude',
];

const same = (a: unknown, b: unknown) =>
  a === b || (a != null && b != null && JSON.stringify(a) === JSON.stringify(b));

/** The customer's fields that differ between `before` (null: created) and `after`. */
export function customerChanges(before: CustomerRow | null, after: CustomerRow): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [column, field] of CUSTOMER_FIELDS) {
    const oldValue = before === null ? null : (before[column] ?? null);
    const newValue = after[column] ?? null;
    if (before === null && newValue === null) continue;
    if (before !== null && same(oldValue, newValue)) continue;
    changes.push({ field, oldValue, newValue });
  }
  return changes;
}

/** The primary address's fields that differ (`address.city`); null: no primary address. */
export function addressChanges(
  before: AddressRow | null | undefined,
  after: AddressFields | null,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of ADDRESS_FIELDS) {
    const oldValue = before?.[key] ?? null;
    const newValue = after?.[key] ?? null;
    if (!same(oldValue, newValue)) changes.push({ field: `address.${key}`, oldValue, newValue });
  }
  return changes;
}

/** Tags applied (`tags.ctg_…`: null → name) and removed (name → null). */
export function tagChanges(applied: readonly TagRow[], removed: readonly TagRow[]): FieldChange[] {
  return [
    ...applied.map((tag) => ({ field: `tags.${tag.id}`, oldValue: null, newValue: tag.name })),
    ...removed.map((tag) => ({ field: `tags.${tag.id}`, oldValue: tag.name, newValue: null })),
  ];
}

/** A note's text changing (`notes.cxn_…`; null: added or deleted). */
export const noteChange = (id: string, oldValue: string | null, newValue: string | null) => ({
  field: `notes.${id}`,
  oldValue,
  newValue,
});

/**
 * Appends one event per customer to the company's stream, in the caller's transaction, stamped
 * with the actor, the request ID and the write time (null: the time of the append).
 */
export async function appendEvents(
  stream: EventRepository,
  events: readonly (CustomerEvent & { customerId: string })[],
  origin: { actor: string | null; requestId: string | null; now: string | null },
): Promise<void> {
  await stream.append(
    events.map((event) => ({ id: newId('event'), ...event })),
    { actor: origin.actor, requestId: origin.requestId, occurredTime: origin.now },
  );
}

export interface EventFilter {
  types?: readonly EventType[] | null | undefined;
  customerId?: string | null | undefined;
}

export interface ListEventsArgs extends PageArgs {
  companyId: string;
  filter?: EventFilter | null | undefined;
}

/** Cursors of a company's stream: positions, the same whatever the filter. */
export const streamScope = (companyId: string) => `customerEvents|${companyId}`;

/** The event's position in its company's stream, as a cursor (the query's, the subscription's, a webhook's). */
export const eventCursor = (event: CustomerEventRow) =>
  encodeCursor(streamScope(event.companyId), { micros: event.seq, id: event.id });

/** The filter as the repository takes it; null when it can match nothing (not a customer ID). */
function streamFilter(filter: EventFilter | null | undefined): StreamFilter | null {
  const customerId = filter?.customerId ?? undefined;
  if (customerId !== undefined && !isIdOf('customer', customerId)) return null;
  return { types: filter?.types ?? undefined, customerId };
}

/** Events read from the stream at a time by a subscription; the next read waits for the push. */
const FOLLOW_PAGE = 100;

export interface FollowEventsArgs {
  companyId: string;
  after?: string | null | undefined;
  filter?: EventFilter | null | undefined;
}

export function eventService({ principal, repos, eventFeed }: ServiceContext) {
  /**
   * Where a read of the stream starts: after the cursor's position, or (none) at the head. A
   * cursor whose following events were pruned past the retention cannot resume without a gap.
   */
  async function startOf(after: number | null): Promise<number> {
    const { head, pruned } = await repos.events.positions();
    if (after === null) return head;
    if (after < pruned) {
      throw new FailedPrecondition(
        'after points at events older than the retention (EVENT_RETENTION_DAYS), which are deleted: read again from the oldest (no after)',
      );
    }
    return after;
  }

  return {
    /**
     * The subscription: the events after `after` (from now when absent), then each new one as it
     * commits. Read a page at a time, each page after the subscriber took the last one, so that a
     * slow subscriber holds at most a page (its position is in the database, not in memory); a
     * subscriber that leaves ends its wait at once (Repeater's stop).
     */
    follow(args: FollowEventsArgs): Repeater<CustomerEventRow> {
      requireOwnCompany(principal, args.companyId, 'companyId');
      const request = pageRequest(streamScope(principal.companyId), {
        first: FOLLOW_PAGE,
        after: args.after,
      });
      const filter = streamFilter(args.filter);
      return new Repeater<CustomerEventRow>(async (push, stop) => {
        let stopped = false;
        void stop.then(() => {
          stopped = true;
        });
        let position = await startOf(request.after?.micros ?? null);
        while (!stopped) {
          const rows = filter ? await repos.events.stream(position, FOLLOW_PAGE, filter) : [];
          for (const row of rows) {
            if (stopped) break;
            await push(row);
            position = row.seq;
          }
          if (rows.length < FOLLOW_PAGE && !stopped) {
            await eventFeed.next(principal.companyId, stop);
          }
        }
        stop();
      });
    },

    /** customerEvents: the company's events after `after`, oldest first, in commit order. */
    async list(args: ListEventsArgs): Promise<Page<CustomerEventRow>> {
      requireOwnCompany(principal, args.companyId, 'companyId');
      const scope = streamScope(principal.companyId);
      const request = pageRequest(scope, args);
      if (request.after) await startOf(request.after.micros);
      const filter = streamFilter(args.filter);
      const rows = filter
        ? await repos.events.stream(request.after?.micros ?? 0, request.first + 1, filter)
        : [];
      return toPage(
        scope,
        request,
        rows,
        (event) => event.seq,
        () => {
          throw new FailedPrecondition('customerEvents has no totalCount');
        },
      );
    },
  };
}

export type EventService = ReturnType<typeof eventService>;
