// The request shapes of the customer operations (the upstream's, so that its JSON examples are
// valid input) and their parsing into what the store keeps. In an update, a field that is
// absent is `undefined` and keeps its value; `null` clears it where it can be cleared.
import type {
  AddressTypeValue,
  ComplianceChannelValue,
  CustomerStatusValue,
} from '../db/schema.js';
import type { Violations } from '../errors.js';
import type { AddressFields } from '../repositories/address.js';
import { LIMITS, listLength, optionalText, requiredText } from './validate.js';

type Maybe<T> = T | null | undefined;

export interface AddressInput {
  address1?: Maybe<string>;
  address2?: Maybe<string>;
  city?: Maybe<string>;
  state?: Maybe<string>;
  postalCode?: Maybe<string>;
  country?: Maybe<string>;
  coordinate?: Maybe<{ latitude: number; longitude: number }>;
  type?: Maybe<AddressTypeValue>;
  /** Upstream alias of address1. */
  street?: Maybe<string>;
  /** Upstream alias of postalCode. */
  zip?: Maybe<string>;
}

export interface TagInput {
  id?: Maybe<string>;
  name?: Maybe<string>;
}

export interface NoteInput {
  id?: Maybe<string>;
  note: string;
}

export interface PreferenceInput {
  receiveAutoMessage?: Maybe<boolean>;
  receiveAutoEmail?: Maybe<boolean>;
  subscribeToMarketingEmails?: Maybe<boolean>;
  receiveAppointmentReminder?: Maybe<boolean>;
}

export interface ComplianceFlagsInput {
  brandedAppEnabled?: Maybe<boolean>;
  isAgreedMarketingPolicy?: Maybe<boolean>;
  isConsented?: Maybe<boolean>;
}

export interface CreateComplianceInput extends ComplianceFlagsInput {
  serviceRelatedChannels?: Maybe<readonly ComplianceChannelValue[]>;
  marketingCampaignsChannels?: Maybe<readonly ComplianceChannelValue[]>;
}

export interface UpdateComplianceInput extends ComplianceFlagsInput {
  serviceRelatedChannels?: Maybe<{ channels: readonly ComplianceChannelValue[] }>;
  marketingCampaignsChannels?: Maybe<{ channels: readonly ComplianceChannelValue[] }>;
}

export interface CreateCustomerInput {
  companyId: string;
  preferredBusinessId: string;
  firstName: string;
  lastName: string;
  phone: string;
  email?: Maybe<string>;
  address?: Maybe<AddressInput>;
  preference?: Maybe<PreferenceInput>;
  tags?: Maybe<readonly TagInput[]>;
  notes?: Maybe<readonly NoteInput[]>;
  complianceConfig?: Maybe<CreateComplianceInput>;
  source?: Maybe<string>;
  colorCode?: Maybe<string>;
  avatarPath?: Maybe<string>;
}

export interface UpdateCustomerInput {
  id: string;
  companyId: string;
  preferredBusinessId?: Maybe<string>;
  avatarPath?: Maybe<string>;
  firstName?: Maybe<string>;
  lastName?: Maybe<string>;
  phone?: Maybe<string>;
  email?: Maybe<string>;
  address?: Maybe<AddressInput>;
  preference?: Maybe<PreferenceInput>;
  tags?: Maybe<readonly TagInput[]>;
  notes?: Maybe<readonly NoteInput[]>;
  complianceConfig?: Maybe<UpdateComplianceInput>;
  status?: Maybe<CustomerStatusValue>;
  source?: Maybe<string>;
  colorCode?: Maybe<string>;
}

export interface ParsedAddress {
  type: AddressTypeValue;
  fields: AddressFields;
}

/** An address as stored; the upstream's street/zip stand in for address1/postalCode. */
export function parseAddress(
  v: Violations,
  field: string,
  input: AddressInput,
): ParsedAddress | undefined {
  const before = v.list.length;
  const aliased = (name: 'address1' | 'postalCode', alias: 'street' | 'zip') => {
    const value = input[name];
    const aliasValue = input[alias];
    if (value != null && aliasValue != null && value.trim() !== aliasValue.trim()) {
      v.add(`${field}.${alias}`, `is an alias of ${name} and conflicts with it; send one of them`);
    }
    return value ?? aliasValue;
  };
  const text = (name: string, value: Maybe<string>) =>
    value == null ? null : optionalText(v, `${field}.${name}`, value, LIMITS.shortText);

  const fields: AddressFields = {
    address1: text('address1', aliased('address1', 'street')),
    address2: text('address2', input.address2),
    city: text('city', input.city),
    state: text('state', input.state),
    postalCode: text('postalCode', aliased('postalCode', 'zip')),
    country: text('country', input.country),
    latitude: null,
    longitude: null,
  };
  if (input.coordinate) {
    const { latitude, longitude } = input.coordinate;
    if (!Number.isFinite(latitude) || Math.abs(latitude) > 90) {
      v.add(`${field}.coordinate.latitude`, 'must be from -90 to 90');
    }
    if (!Number.isFinite(longitude) || Math.abs(longitude) > 180) {
      v.add(`${field}.coordinate.longitude`, 'must be from -180 to 180');
    }
    fields.latitude = latitude;
    fields.longitude = longitude;
  }
  if (Object.values(fields).every((value) => value == null) && v.list.length === before) {
    v.add(field, 'must have at least one non-blank field');
  }
  return v.list.length === before ? { type: input.type ?? 'PRIMARY', fields } : undefined;
}

/** A tag request: an existing catalog tag by ID, or a name to find or create. */
export type TagRef = { id: string } | { name: string };

/** Tag requests in order, without repeats (names compared case-insensitively). */
export function parseTags(v: Violations, field: string, tags: readonly TagInput[]): TagRef[] {
  listLength(v, field, tags, LIMITS.tagsPerRequest);
  const refs: TagRef[] = [];
  const seen = new Set<string>();
  tags.forEach((tag, i) => {
    const hasId = tag.id != null;
    const hasName = tag.name != null;
    if (hasId === hasName) {
      v.add(`${field}[${i}]`, 'give exactly one of id or name');
      return;
    }
    if (tag.id != null) {
      if (!seen.has(`id:${tag.id}`)) refs.push({ id: tag.id });
      seen.add(`id:${tag.id}`);
      return;
    }
    const name = requiredText(v, `${field}[${i}].name`, tag.name ?? '', LIMITS.tagName);
    if (name === undefined) return;
    const key = `name:${name.toLowerCase()}`;
    if (!seen.has(key)) refs.push({ name });
    seen.add(key);
  });
  return refs;
}

/** New notes, and (where `allowEdits`) edits of existing ones by ID. */
export function parseNotes(
  v: Violations,
  field: string,
  notes: readonly NoteInput[],
  allowEdits: boolean,
): { added: string[]; edited: { id: string; note: string }[] } {
  listLength(v, field, notes, LIMITS.notesPerRequest);
  const added: string[] = [];
  const edited: { id: string; note: string }[] = [];
  notes.forEach((entry, i) => {
    const text = noteText(v, `${field}[${i}].note`, entry.note);
    if (entry.id != null && !allowEdits) {
      v.add(`${field}[${i}].id`, 'must be absent: this operation only adds notes');
    } else if (text !== undefined) {
      if (entry.id != null) edited.push({ id: entry.id, note: text });
      else added.push(text);
    }
  });
  return { added, edited };
}

/** Note text is kept as written; it must not be blank and at most 10,000 characters. */
export function noteText(v: Violations, field: string, text: string): string | undefined {
  if (text.trim().length === 0) v.add(field, 'must not be blank');
  else if (text.length > LIMITS.note) v.add(field, `must be at most ${LIMITS.note} characters`);
  else return text;
  return undefined;
}

/** A channel list without repeats, in the order given. */
export function channels(list: readonly ComplianceChannelValue[]): ComplianceChannelValue[] {
  return [...new Set(list)];
}
