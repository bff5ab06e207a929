// Compliance and consent. Every change of a customer's compliance config (each channel list and
// each flag) is written to an append-only audit trail in the same transaction as the change:
// who, when, which field, old and new value, request ID, client IP and user agent. And the
// contact decision: may the business contact this customer on this channel for this purpose.
import type { ComplianceChannelValue, CustomerRow } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import type { CustomerPatch } from '../repositories/customer.js';
import type { Repositories } from '../repositories/index.js';
import type { ServiceContext } from './service-context.js';

const COMPLIANCE_FIELDS = [
  'serviceRelatedChannels',
  'marketingCampaignsChannels',
  'brandedAppEnabled',
  'isAgreedMarketingPolicy',
  'isConsented',
] as const;

export type ComplianceField = (typeof COMPLIANCE_FIELDS)[number];
type ComplianceState = Pick<CustomerRow, ComplianceField>;
type ComplianceValue = ComplianceState[ComplianceField];

const sameValue = (a: ComplianceValue, b: ComplianceValue) =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && [...a].sort().join() === [...b].sort().join()
    : a === b;

export interface ComplianceDiff {
  field: ComplianceField;
  oldValue: ComplianceValue | null;
  newValue: ComplianceValue;
}

/**
 * The compliance fields a patch really changes, from `before` (null: the customer is new, every
 * field is recorded as its first value). A channel list with the same channels in another order
 * is no change, and is dropped from the patch so that the stored order stays as audited.
 */
export function complianceDiff(
  before: ComplianceState | null,
  patch: CustomerPatch,
): ComplianceDiff[] {
  const diffs: ComplianceDiff[] = [];
  for (const field of COMPLIANCE_FIELDS) {
    const next = patch[field];
    if (next === undefined) continue;
    const previous = before === null ? null : before[field];
    if (previous !== null && sameValue(previous, next)) {
      delete patch[field];
      continue;
    }
    diffs.push({ field, oldValue: previous, newValue: next });
  }
  return diffs;
}

export type ContactPurpose = 'SERVICE' | 'MARKETING';

export interface ContactDecision {
  allowed: boolean;
  reason: string;
}

/**
 * Whether the business may contact the customer on a channel for a purpose (see README):
 * SERVICE needs the channel in serviceRelatedChannels; MARKETING needs isConsented,
 * isAgreedMarketingPolicy and the channel in marketingCampaignsChannels. A deleted customer is
 * contacted for nothing.
 */
function canContact(
  customer: CustomerRow,
  channel: ComplianceChannelValue,
  purpose: ContactPurpose,
): ContactDecision {
  const no = (reason: string) => ({ allowed: false, reason });
  if (customer.deleted) return no('The customer is deleted.');
  if (purpose === 'SERVICE') {
    return customer.serviceRelatedChannels.includes(channel)
      ? { allowed: true, reason: `${channel} is in serviceRelatedChannels.` }
      : no(`${channel} is not in serviceRelatedChannels.`);
  }
  if (!customer.isConsented) return no('The customer has not consented (isConsented is false).');
  if (!customer.isAgreedMarketingPolicy) {
    return no(
      'The customer has not agreed to the marketing policy (isAgreedMarketingPolicy is false).',
    );
  }
  if (!customer.marketingCampaignsChannels.includes(channel)) {
    return no(`${channel} is not in marketingCampaignsChannels.`);
  }
  return {
    allowed: true,
    reason: `${channel} is in marketingCampaignsChannels, with consent and the marketing policy agreed.`,
  };
}

export function complianceService(serviceContext: ServiceContext) {
  const { principal, origin } = serviceContext;

  /** Writes the trail rows of several customers' changes in one statement. */
  async function recordMany(
    tx: Repositories,
    entries: readonly { customerId: string; diffs: readonly ComplianceDiff[] }[],
    now: string,
  ): Promise<void> {
    await tx.compliance.insertMany(
      entries.flatMap(({ customerId, diffs }) =>
        diffs.map((diff) => ({
          id: newId('complianceChange'),
          customerId,
          field: diff.field,
          oldValue: diff.oldValue,
          newValue: diff.newValue,
          actor: principal.actorId,
          changedTime: now,
          requestId: origin.requestId,
          ip: origin.ip,
          userAgent: origin.userAgent,
        })),
      ),
    );
  }

  return {
    canContact,

    /** Writes the trail rows of these changes, in the caller's transaction. */
    record(tx: Repositories, customerId: string, diffs: readonly ComplianceDiff[], now: string) {
      return recordMany(tx, [{ customerId, diffs }], now);
    },

    recordMany,
  };
}

export type ComplianceService = ReturnType<typeof complianceService>;
