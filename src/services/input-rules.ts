// The rules of every input, in one place: each rule checks a value and gives it in its stored form
// (trimmed, E.164, normalised URL), and create and update are made of the same rules, differing only
// in what absent and null mean. The TypeScript types of the inputs come from here (`z.input`), and
// the GraphQL input types implement them (schema/*.ts), so the two cannot drift apart. A request's
// violations are reported all at once, each under the path of its field (`input.tags[2].name`).
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { isScope, SCOPES } from '../auth/principal.js';
import { addressType, complianceChannel, customerStatus } from '../db/schema.js';
import { type FieldViolation, InvalidArgument } from '../errors.js';
import { MAX_ID_LENGTH } from '../lib/ids.js';
import type { AddressFields } from '../repositories/address.js';

const LIMITS = {
  name: 100,
  note: 10_000,
  tagName: 100,
  notesPerRequest: 100,
  tagsPerRequest: 100,
  shortText: 255,
} as const;

// --- reporting ------------------------------------------------------------------------------------

const pathOf = (prefix: string, path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (out, key) =>
      typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
    prefix,
  );

/** The violations of a failed parse, each under `prefix` and the path of its field. */
export const violationsOf = (error: z.ZodError, prefix: string): FieldViolation[] =>
  error.issues.map((issue) => ({ field: pathOf(prefix, issue.path), description: issue.message }));

/** The input in its stored form, or INVALID_ARGUMENT with every violation. */
export function parse<S extends z.ZodType>(
  rules: S,
  input: z.input<S>,
  prefix: string,
): z.output<S> {
  const result = rules.safeParse(input);
  if (!result.success) throw new InvalidArgument(violationsOf(result.error, prefix));
  return result.data;
}

type Context = z.RefinementCtx;

function report(ctx: Context, message: string, path?: PropertyKey[]): void {
  ctx.addIssue({ code: 'custom', message, ...(path ? { path } : {}) });
}

/** Reports the violation and gives up the value (in a transform). */
function fail(ctx: Context, message: string, path?: PropertyKey[]): never {
  report(ctx, message, path);
  return z.NEVER;
}

/** Runs a rule inside another's transform, its violations under `path`; undefined when invalid. */
function checked<S extends z.ZodType>(
  rule: S,
  value: unknown,
  ctx: Context,
  path: PropertyKey[],
): z.output<S> | undefined {
  const result = rule.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) report(ctx, issue.message, [...path, ...issue.path]);
  return undefined;
}

// --- values -----------------------------------------------------------------------------------------

/** Trimmed, not blank, at most `max` characters. */
const requiredText = (max: number) =>
  z.string().transform((value, ctx) => {
    const trimmed = value.trim();
    if (trimmed.length === 0) return fail(ctx, 'must not be blank');
    if (trimmed.length > max) return fail(ctx, `must be at most ${max} characters`);
    return trimmed;
  });

/** Free text, trimmed; blank becomes null. */
const optionalText = (max: number) =>
  z.string().transform((value, ctx): string | null => {
    const trimmed = value.trim();
    if (trimmed.length > max) return fail(ctx, `must be at most ${max} characters`);
    return trimmed.length === 0 ? null : trimmed;
  });

const identifier = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_ID_LENGTH) {
    return fail(ctx, `must be a non-blank ID of at most ${MAX_ID_LENGTH} characters`);
  }
  return trimmed;
});

const name = requiredText(LIMITS.name);

const PHONE_CHARACTERS = /^\+[0-9 ().-]+$/;

/** A valid number with its country code, in E.164. */
const phone = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  const parsed = PHONE_CHARACTERS.test(trimmed) ? parsePhoneNumberFromString(trimmed) : undefined;
  if (!parsed?.isValid()) {
    return fail(ctx, 'must be a valid phone number in E.164 form, e.g. +12125551234');
  }
  return parsed.number;
});

/** The WHATWG e-mail grammar, the same one the EmailAddress scalar enforces on output. */
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

const email = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed))
    return fail(ctx, 'must be a valid e-mail address');
  return trimmed;
});

const colorCode = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be a color in the form #RRGGBB');

const httpsUrl = z.string().transform((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || value.length > 2048) {
    return fail(ctx, 'must be an https URL of at most 2048 characters');
  }
  return url.toString();
});

const source = optionalText(LIMITS.shortText);

/** Note text is kept as written: not blank, at most 10,000 characters. */
const noteText = z.string().superRefine((text, ctx) => {
  if (text.trim().length === 0) report(ctx, 'must not be blank');
  else if (text.length > LIMITS.note) report(ctx, `must be at most ${LIMITS.note} characters`);
});

/** A list of at most `max` items, each checked (all violations reported, the length's too). */
const listOf = <S extends z.ZodType>(item: S, max: number, atLeastOne?: string) =>
  z.array(item).superRefine((list, ctx) => {
    if (list.length > max) report(ctx, `must have at most ${max} items`);
    if (atLeastOne && list.length === 0) report(ctx, atLeastOne);
  });

// --- what absent and null mean ------------------------------------------------------------------

const NOT_NULL = 'cannot be null; omit it to keep the current value';

/** On create: absent or null is no value. */
const orNull = <S extends z.ZodType>(rule: S) =>
  rule.nullish().transform((value): z.output<S> | null => value ?? null);

/** On update: absent keeps the value, null is refused (the field cannot be cleared). */
const kept = <S extends z.ZodType>(rule: S) =>
  rule
    .nullish()
    .transform((value, ctx): z.output<S> | undefined =>
      value === null ? fail(ctx, NOT_NULL) : value,
    );

/** On update: absent keeps the value, null clears it. */
const cleared = <S extends z.ZodType>(rule: S) => rule.nullish();

// --- parts of a customer ----------------------------------------------------------------------------

export interface ParsedAddress {
  type: (typeof addressType.enumValues)[number];
  fields: AddressFields;
}

const coordinate = z.object({
  latitude: z
    .number()
    .refine((n) => Number.isFinite(n) && Math.abs(n) <= 90, 'must be from -90 to 90'),
  longitude: z
    .number()
    .refine((n) => Number.isFinite(n) && Math.abs(n) <= 180, 'must be from -180 to 180'),
});

const addressText = optionalText(LIMITS.shortText);

/** An address as stored; the upstream's street/zip stand in for address1/postalCode. */
const address = z
  .object({
    address1: z.string().nullish(),
    address2: z.string().nullish(),
    city: z.string().nullish(),
    state: z.string().nullish(),
    postalCode: z.string().nullish(),
    country: z.string().nullish(),
    coordinate: z.object({ latitude: z.number(), longitude: z.number() }).nullish(),
    type: z.enum(addressType.enumValues).nullish(),
    /** Upstream alias of address1. */
    street: z.string().nullish(),
    /** Upstream alias of postalCode. */
    zip: z.string().nullish(),
  })
  .transform((input, ctx): ParsedAddress => {
    let valid = true;
    const aliased = (field: 'address1' | 'postalCode', alias: 'street' | 'zip') => {
      const value = input[field];
      const aliasValue = input[alias];
      if (value != null && aliasValue != null && value.trim() !== aliasValue.trim()) {
        valid = false;
        report(ctx, `is an alias of ${field} and conflicts with it; send one of them`, [alias]);
      }
      return value ?? aliasValue;
    };
    const text = (field: string, value: string | null | undefined) => {
      if (value == null) return null;
      const stored = checked(addressText, value, ctx, [field]);
      if (stored === undefined) valid = false;
      return stored ?? null;
    };
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
      const point = checked(coordinate, input.coordinate, ctx, ['coordinate']);
      if (point === undefined) valid = false;
      fields.latitude = input.coordinate.latitude;
      fields.longitude = input.coordinate.longitude;
    }
    if (!valid) return z.NEVER;
    if (Object.values(fields).every((value) => value == null)) {
      return fail(ctx, 'must have at least one non-blank field');
    }
    return { type: input.type ?? 'PRIMARY', fields };
  });

/** A tag request: an existing catalog tag by ID, or a name to find or create. */
export type TagRef = { id: string } | { name: string };

const tagName = requiredText(LIMITS.tagName);

const tag = z
  .object({ id: z.string().nullish(), name: z.string().nullish() })
  .transform((input, ctx): TagRef => {
    if ((input.id != null) === (input.name != null))
      return fail(ctx, 'give exactly one of id or name');
    if (input.id != null) return { id: input.id };
    const name = checked(tagName, input.name, ctx, ['name']);
    return name === undefined ? z.NEVER : { name };
  });

/** Tag requests in order, without repeats (names compared case-insensitively). */
const tags = (atLeastOne?: string) =>
  listOf(tag, LIMITS.tagsPerRequest, atLeastOne).transform((refs) => {
    const seen = new Set<string>();
    return refs.filter((ref) => {
      const key = 'id' in ref ? `id:${ref.id}` : `name:${ref.name.toLowerCase()}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });

export interface ParsedNotes {
  added: string[];
  edited: { id: string; note: string }[];
}

/** New notes, and (where `edits` is allowed) edits of existing ones by ID. */
const notes = (edits: boolean, atLeastOne?: string) =>
  listOf(
    z.object({
      id: edits
        ? z.string().nullish()
        : z
            .string()
            .nullish()
            .refine((id) => id == null, 'must be absent: this operation only adds notes'),
      note: noteText,
    }),
    LIMITS.notesPerRequest,
    atLeastOne,
  ).transform((entries): ParsedNotes => {
    const parsed: ParsedNotes = { added: [], edited: [] };
    for (const entry of entries) {
      if (entry.id != null) parsed.edited.push({ id: entry.id, note: entry.note });
      else parsed.added.push(entry.note);
    }
    return parsed;
  });

/** A channel list without repeats, in the order given. */
const channels = z
  .array(z.enum(complianceChannel.enumValues))
  .transform((list) => [...new Set(list)]);

const flag = z.boolean();

const preferenceFields = {
  receiveAutoMessage: true,
  receiveAutoEmail: true,
  subscribeToMarketingEmails: false,
  receiveAppointmentReminder: true,
} as const;

// --- the customer operations --------------------------------------------------------------------

/** CreateCustomer: required fields required; the others default (API.md, "Customers"). */
/** Checked, and hashed with the rest, by services/idempotency.ts. */
const idempotencyKey = z.string().nullish();

export const createCustomerInput = z.object({
  idempotencyKey,
  companyId: z.string(),
  preferredBusinessId: identifier,
  firstName: name,
  lastName: name,
  phone,
  email: orNull(email),
  address: orNull(address),
  preference: z
    .object({
      receiveAutoMessage: flag.nullish(),
      receiveAutoEmail: flag.nullish(),
      subscribeToMarketingEmails: flag.nullish(),
      receiveAppointmentReminder: flag.nullish(),
    })
    .nullish()
    .transform((given) => ({
      receiveAutoMessage: given?.receiveAutoMessage ?? preferenceFields.receiveAutoMessage,
      receiveAutoEmail: given?.receiveAutoEmail ?? preferenceFields.receiveAutoEmail,
      subscribeToMarketingEmails:
        given?.subscribeToMarketingEmails ?? preferenceFields.subscribeToMarketingEmails,
      receiveAppointmentReminder:
        given?.receiveAppointmentReminder ?? preferenceFields.receiveAppointmentReminder,
    })),
  tags: tags()
    .nullish()
    .transform((refs) => refs ?? []),
  notes: notes(false)
    .nullish()
    .transform((parsed) => parsed ?? { added: [], edited: [] }),
  complianceConfig: z
    .object({
      serviceRelatedChannels: channels.nullish(),
      marketingCampaignsChannels: channels.nullish(),
      brandedAppEnabled: flag.nullish(),
      isAgreedMarketingPolicy: flag.nullish(),
      isConsented: flag.nullish(),
    })
    .nullish()
    .transform((given) => ({
      serviceRelatedChannels: given?.serviceRelatedChannels ?? [],
      marketingCampaignsChannels: given?.marketingCampaignsChannels ?? [],
      brandedAppEnabled: given?.brandedAppEnabled ?? false,
      isAgreedMarketingPolicy: given?.isAgreedMarketingPolicy ?? false,
      isConsented: given?.isConsented ?? false,
    })),
  source: orNull(source),
  colorCode: orNull(colorCode),
  avatarPath: orNull(httpsUrl),
});

export type CreateCustomerInput = z.input<typeof createCustomerInput>;
export type ParsedCreateCustomer = z.output<typeof createCustomerInput>;

/** The most customers one createCustomers call takes. */
export const MAX_BULK_CUSTOMERS = 100;

/**
 * CreateCustomers: the call's own fields. Its items are checked one by one (services/
 * customer-create.ts), each against createCustomerInput, so that one bad item fails alone.
 */
export const createCustomersInput = z.object({
  idempotencyKey,
  companyId: z.string(),
  customers: z
    .array(z.custom<CreateCustomerInput>())
    .min(1, 'must have at least 1 item')
    .max(MAX_BULK_CUSTOMERS, `must have at most ${MAX_BULK_CUSTOMERS} items`),
  mode: z
    .enum(['PER_ITEM', 'ALL_OR_NOTHING'])
    .nullish()
    .transform((mode) => mode ?? 'PER_ITEM'),
});

export type CreateCustomersInput = z.input<typeof createCustomersInput>;

/** A channel list on update: a wrapper, so that absent (keep) and [] (clear) differ. */
const channelsUpdate = kept(z.object({ channels }).transform(({ channels }) => channels));

/** UpdateCustomer: an absent field keeps its value; null clears the clearable ones only. */
/** A version a client read (Customer.version, CustomerNote.version); absent or null: none. */
export const expectedVersion = z
  .number()
  .int()
  .min(1, 'must be a version read from the API (1 or more)')
  .nullish();

export const updateCustomerInput = z.object({
  id: z.string(),
  companyId: z.string(),
  expectedVersion,
  preferredBusinessId: kept(identifier),
  avatarPath: cleared(httpsUrl),
  firstName: kept(name),
  lastName: kept(name),
  phone: kept(phone),
  email: cleared(email),
  address: cleared(address),
  preference: kept(
    z.object({
      receiveAutoMessage: kept(flag),
      receiveAutoEmail: kept(flag),
      subscribeToMarketingEmails: kept(flag),
      receiveAppointmentReminder: kept(flag),
    }),
  ),
  tags: kept(tags()),
  notes: kept(notes(true)),
  complianceConfig: kept(
    z.object({
      serviceRelatedChannels: channelsUpdate,
      marketingCampaignsChannels: channelsUpdate,
      brandedAppEnabled: kept(flag),
      isAgreedMarketingPolicy: kept(flag),
      isConsented: kept(flag),
    }),
  ),
  status: kept(z.enum(customerStatus.enumValues)),
  source: cleared(source),
  colorCode: cleared(colorCode),
});

export type UpdateCustomerInput = z.input<typeof updateCustomerInput>;

// --- notes, tags, lists -----------------------------------------------------------------------------

export const appendCustomerNotesInput = z.object({
  idempotencyKey,
  customerId: z.string(),
  notes: notes(false, 'must have at least one note'),
});
export type AppendCustomerNotesInput = z.input<typeof appendCustomerNotesInput>;

export const updateCustomerNoteInput = z.object({
  customerId: z.string(),
  noteId: z.string(),
  note: noteText,
  expectedVersion,
});

/** EraseCustomer: the reason goes into the erasure's event (a ticket, not personal data). */
export const eraseCustomerInput = z.object({
  id: z.string(),
  reason: z
    .string()
    .trim()
    .min(1, 'must say why (e.g. the request ticket)')
    .max(500, 'must be at most 500 characters'),
});
export type EraseCustomerInput = z.input<typeof eraseCustomerInput>;

/** ArchiveCustomer and RestoreCustomer. */
export const archiveCustomerInput = z.object({ id: z.string(), expectedVersion });
export type ArchiveCustomerInput = z.input<typeof archiveCustomerInput>;
export type UpdateCustomerNoteInput = z.input<typeof updateCustomerNoteInput>;

export const appendCustomerTagsInput = z.object({
  idempotencyKey,
  customerId: z.string(),
  tags: tags('must have at least one tag'),
});
export type AppendCustomerTagsInput = z.input<typeof appendCustomerTagsInput>;

/** renameTag: the tag and its new name (trimmed, 1..100 characters). */
export const renameTagInput = z.object({ id: z.string(), name: tagName });
export type RenameTagInput = z.input<typeof renameTagInput>;

/** removeCustomerTags: the customer and 1..100 tag IDs. */
export const removeCustomerTagsInput = z.object({
  customerId: z.string(),
  tagIds: z
    .array(z.string())
    .min(1, 'must have at least one tag')
    .max(LIMITS.tagsPerRequest, `must have at most ${LIMITS.tagsPerRequest} items`),
});
export type RemoveCustomerTagsInput = z.input<typeof removeCustomerTagsInput>;

/** The tag catalog's `query`: a part of the name, 1..100 characters. */
export const tagQueryInput = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(LIMITS.tagName, `must be at most ${LIMITS.tagName} characters`)
  .nullish();

/**
 * ListCustomers' filter: a search box (query), an interval of lastUpdatedTime, the main phone
 * number, the status, the preferred business, tags the customers all carry, and whether archived
 * customers count.
 */
export const customerFilterInput = z
  .object({
    query: z.string().max(200, 'must be at most 200 characters').nullish(),
    status: z.enum(customerStatus.enumValues).nullish(),
    preferredBusinessId: z.string().max(255, 'must be at most 255 characters').nullish(),
    tagIds: z.array(z.string()).max(100, 'must list at most 100 tags').nullish(),
    includeArchived: z.boolean().nullish(),
    lastUpdatedTime: z
      .object({ startTime: z.date().nullish(), endTime: z.date().nullish() })
      .nullish()
      .superRefine((interval, ctx) => {
        if (interval?.startTime && interval.endTime && interval.startTime > interval.endTime) {
          report(ctx, 'startTime must not be after endTime');
        }
      }),
    mainPhoneNumber: phone.nullish(),
  })
  .nullish();
export type CustomerFilterInput = z.input<typeof customerFilterInput>;

/** A new API key (npm run apikey): its company, scopes and an operator's label. */
export const newApiKeyInput = z.object({
  companyId: identifier,
  scopes: z
    .array(z.string())
    .superRefine((scopes, ctx) => {
      if (scopes.length === 0) report(ctx, `must name at least one of ${SCOPES.join(', ')}`);
      for (const scope of scopes) {
        if (!isScope(scope)) report(ctx, `unknown scope "${scope}" (known: ${SCOPES.join(', ')})`);
      }
    })
    .transform((scopes) => [...new Set(scopes)]),
  name: optionalText(100)
    .optional()
    .transform((name) => name ?? 'unnamed'),
});
export type NewApiKey = z.input<typeof newApiKeyInput>;
