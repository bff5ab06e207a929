// The Customer type, its queries (customer, customersByIds, customers) and mutations
// (createCustomer, createCustomers, updateCustomer). Resolvers decode, call a service or a loader, and return.
import type { ObjectRef } from '@pothos/core';
import type { Context } from '../context.js';
import type { CustomerRow, ReferralSourceRow } from '../db/schema.js';
import { InvalidArgument, NotFound } from '../errors.js';
import type { PagedLists } from '../graphql/loaders.js';
import { MAX_IDS_PER_REQUEST } from '../lib/ids.js';
import type { Page, PageArgs } from '../lib/page.js';
import type {
  CreateCustomerResult as CreateCustomerResultShape,
  CreateCustomersResult as CreateCustomersResultShape,
  UserError as UserErrorShape,
} from '../services/customer-create.js';
import type {
  CreateCustomerInput as CreateCustomerInputShape,
  CreateCustomersInput as CreateCustomersInputShape,
  CustomerFilterInput,
  UpdateCustomerInput as UpdateCustomerInputShape,
} from '../services/input-rules.js';
import { Address, AddressInput } from './address.js';
import { type BuilderTypes, builder } from './builder.js';
import {
  afterWrite,
  ComplianceChannel,
  CustomerStatus,
  connection,
  DEFAULT_PAGE_SIZE,
  IDEMPOTENCY_KEY,
  type Implements,
  IntervalInput,
  idsCost,
  Node,
  pageCost,
} from './common.js';
import { CustomerNoteConnection } from './note.js';
import { CustomerTag } from './tag.js';

export const ReferralSource = builder.objectRef<ReferralSourceRow>('ReferralSource').implement({
  authScopes: { 'customers:read': true },
  description: 'The source or channel through which a customer was acquired (company catalog).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The referral source ID (crs_…).' }),
    name: t.exposeString('name', { description: 'e.g. "Google", "Walk-in", "Referral".' }),
  }),
});

const Preference = builder.objectRef<CustomerRow>('Preference').implement({
  authScopes: { 'customers:read': true },
  description: "The customer's communication and marketing preferences.",
  fields: (t) => ({
    receiveAutoMessage: t.exposeBoolean('receiveAutoMessage', {
      description: 'Wants automated SMS messages.',
    }),
    receiveAutoEmail: t.exposeBoolean('receiveAutoEmail', {
      description: 'Wants automated e-mails.',
    }),
    subscribeToMarketingEmails: t.exposeBoolean('subscribeToMarketingEmails', {
      description: 'Opted in to marketing e-mails.',
    }),
    receiveAppointmentReminder: t.exposeBoolean('receiveAppointmentReminder', {
      description: 'Wants appointment reminders.',
    }),
  }),
});

const CustomerComplianceConfig = builder
  .objectRef<CustomerRow>('CustomerComplianceConfig')
  .implement({
    authScopes: { 'customers:read': true },
    description:
      'Which channels the business may use to contact the customer, and the consent behind it.',
    fields: (t) => ({
      serviceRelatedChannels: t.expose('serviceRelatedChannels', {
        type: [ComplianceChannel],
        description: 'Channels allowed for service-related notifications.',
      }),
      marketingCampaignsChannels: t.expose('marketingCampaignsChannels', {
        type: [ComplianceChannel],
        description: 'Channels allowed for marketing campaigns.',
      }),
      brandedAppEnabled: t.exposeBoolean('brandedAppEnabled', {
        description: 'Notifications through the branded mobile app are enabled.',
      }),
      isAgreedMarketingPolicy: t.exposeBoolean('isAgreedMarketingPolicy', {
        description: 'The customer agreed to receive marketing communications.',
      }),
      isConsented: t.exposeBoolean('isConsented', {
        description:
          'The customer explicitly consented to this configuration. Carries legal weight ' +
          '(TCPA/GDPR/CCPA); every change is kept in complianceHistory.',
      }),
    }),
  });

export const Customer = builder.objectRef<CustomerRow>('Customer').implement({
  authScopes: { 'customers:read': true },
  description: 'A client of the business: the core entity of the pet-services graph.',
  interfaces: [Node],
  fields: (t) => ({
    companyId: t.exposeID('companyId', { description: 'The company the customer belongs to.' }),
    preferredBusinessId: t.exposeID('preferredBusinessId', {
      description: "The customer's preferred business location.",
    }),
    firstName: t.exposeString('firstName', { description: 'First name.' }),
    lastName: t.exposeString('lastName', { description: 'Last name.' }),
    avatar: t.field({
      type: 'URL',
      nullable: true,
      description: 'URL of the profile picture (set through avatarPath).',
      resolve: (c) => c.avatarPath,
    }),
    phone: t.expose('phone', { type: 'PhoneNumber', description: 'Main phone number, E.164.' }),
    email: t.expose('email', {
      type: 'EmailAddress',
      nullable: true,
      description: 'E-mail address.',
    }),
    address: t.field({
      type: [Address],
      description: 'All addresses, the PRIMARY one first.',
      resolve: (c, _args, ctx) => ctx.loaders.addressesOfCustomers.load(c.id),
    }),
    status: t.expose('status', { type: CustomerStatus, description: 'ACTIVE or INACTIVE.' }),
    colorCode: t.expose('colorCode', {
      type: 'HexColorCode',
      nullable: true,
      description: 'Color for visual identification in the UI, #RRGGBB.',
    }),
    source: t.exposeString('source', {
      nullable: true,
      description: 'How the customer was acquired; the name of referralSource.',
    }),
    referralSource: t.field({
      type: ReferralSource,
      nullable: true,
      description: 'The catalog entry of source.',
      resolve: (c, _args, ctx) =>
        c.referralSourceId === null ? null : ctx.loaders.referralSources.load(c.referralSourceId),
    }),
    preference: t.field({
      type: Preference,
      description: 'Communication and marketing preferences.',
      resolve: (c) => c,
    }),
    complianceConfig: t.field({
      type: CustomerComplianceConfig,
      description: 'Contact channels and consent.',
      resolve: (c) => c,
    }),
    lastAppointmentDate: t.expose('lastAppointmentDate', {
      type: 'DateTime',
      nullable: true,
      description: 'When the last appointment was (kept by the appointments service).',
    }),
    nextAppointmentDate: t.expose('nextAppointmentDate', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next appointment is (kept by the appointments service).',
    }),
    upcomingAppointmentsUrl: t.field({
      type: 'URL',
      nullable: true,
      description: 'A page where the customer sees upcoming appointments, when one exists.',
      resolve: (c) => c.upcomingAppointmentsUrl,
    }),
    deleted: t.exposeBoolean('deleted', {
      description:
        'Archived (archiveCustomer): not listed unless includeArchived, changes refused until restoreCustomer.',
    }),
    version: t.exposeInt('version', {
      description:
        'Starts at 1, +1 on every committed change of the customer or its notes, tags, addresses, compliance. Send it back as expectedVersion.',
    }),
    createdBy: t.exposeID('createdBy', {
      nullable: true,
      description: 'Staff ID or API key ID that created it.',
    }),
    createdTime: t.expose('createdTime', { type: 'DateTime', description: 'When it was created.' }),
    lastUpdatedBy: t.exposeID('lastUpdatedBy', {
      nullable: true,
      description: 'Who changed it last.',
    }),
    lastUpdatedTime: t.expose('lastUpdatedTime', {
      type: 'DateTime',
      description: 'When it, its notes or its tags changed last; the order of `customers`.',
    }),
    tags: t.field({
      type: [CustomerTag],
      description:
        'Tags applied to the customer, ordered by name. Batched across parents like notes.',
      resolve: (c, _args, ctx) => ctx.loaders.tagsOfCustomers.load(c.id),
    }),
  }),
});

/** The company's customer with this ID, deleted or not; NOT_FOUND when absent or foreign. */
export async function loadCustomer(ctx: Context, id: string): Promise<CustomerRow> {
  const customer = await ctx.loaders.customers.load(id);
  if (!customer) throw new NotFound('Customer', id);
  return customer;
}

/**
 * One customer's page of a per-customer list (ListCustomerNotes): INVALID_ARGUMENT for bad page
 * arguments, NOT_FOUND when the customer is not the company's.
 */
export async function pageOfCustomer(
  ctx: Context,
  list: 'notes',
  customerId: string,
  args: PageArgs,
) {
  const [page] = await Promise.all([
    ctx.loaders.pages(list, args).load(customerId),
    loadCustomer(ctx, customerId),
  ]);
  return page;
}

const CustomerConnection = connection('Customer', Customer, {
  connection: 'A page of customers in the order asked ((lastUpdatedTime, id) by default).',
  edge: 'A customer and its cursor.',
  totalCount: 'All customers matching the filter; computed only when selected.',
});

const CustomerFilter = builder.inputType('CustomerFilter', {
  description: 'Narrows ListCustomers.',
  fields: (t) => ({
    lastUpdatedTime: t.field({
      type: IntervalInput,
      description: 'Customers last updated in this range (sync by lastUpdatedTime).',
    }),
    mainPhoneNumber: t.string({
      description:
        'Exact match on the E.164 form of the number (the input is normalised the same way).',
    }),
    query: t.string({
      description:
        'Search box: matches first/last name, email and phone, tolerant of typos and accents; with no orderBy, best matches first.',
    }),
    status: t.field({ type: CustomerStatus, description: 'Only customers with this status.' }),
    tagIds: t.idList({
      description: 'Customers carrying every one of these tags (at most 100).',
    }),
    preferredBusinessId: t.id({ description: 'Only customers preferring this business.' }),
    includeArchived: t.boolean({
      description: 'Include archived (deleted: true) customers; default false.',
    }),
  }),
});

const CustomerOrderField = builder.enumType('CustomerOrderField', {
  description: 'What ListCustomers sorts by; the ID breaks ties.',
  values: {
    LAST_UPDATED_TIME: { description: 'lastUpdatedTime: the upstream sync order (the default).' },
    CREATED_TIME: { description: 'createdTime.' },
    NAME: { description: 'lastName, then firstName, case-insensitively (byte order).' },
  },
});

const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Ascending or descending.',
  values: { ASC: { description: 'Smallest first.' }, DESC: { description: 'Largest first.' } },
});

const CustomerOrder = builder.inputType('CustomerOrder', {
  description:
    'Default: LAST_UPDATED_TIME ASC (the upstream sync order). Cursors are bound to the order.',
  fields: (t) => ({
    field: t.field({ type: CustomerOrderField, required: true, description: 'The sort key.' }),
    direction: t.field({
      type: OrderDirection,
      required: true,
      defaultValue: 'ASC',
      description: 'ASC by default.',
    }),
  }),
});
const _customerFilterImplements: Implements<
  typeof CustomerFilter.$inferInput,
  NonNullable<CustomerFilterInput>
> = true;

builder.queryFields((t) => ({
  customer: t.field({
    type: Customer,
    nullable: true,
    description: 'GetCustomer. Null plus a NOT_FOUND error when absent or in another company.',
    args: { id: t.arg.id({ required: true, description: 'The customer ID (cus_…).' }) },
    resolve: (_root, { id }, ctx) => loadCustomer(ctx, id),
  }),
  customersByIds: t.field({
    type: [Customer],
    nullable: { list: false, items: true },
    description:
      'Batch form of customer(id), in the order asked (at most 500); null where absent or in ' +
      'another company. The merge entry point for schema stitching.',
    complexity: idsCost,
    args: { ids: t.arg.idList({ required: true, description: 'Customer IDs (cus_…).' }) },
    resolve: (_root, { ids }, ctx) => {
      if (ids.length > MAX_IDS_PER_REQUEST) {
        throw InvalidArgument.of('ids', `must have at most ${MAX_IDS_PER_REQUEST} items`);
      }
      return Promise.all(ids.map((id) => ctx.loaders.customers.load(id)));
    },
  }),
  customers: t.field({
    type: CustomerConnection,
    description: 'ListCustomers. first/after wrap pageSize (1..500)/pageToken.',
    complexity: pageCost,
    args: {
      companyId: t.arg.id({
        required: true,
        description: 'Must be the company of your credential.',
      }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: 'Page size (upstream pageSize), 1..500.',
      }),
      after: t.arg.string({
        description: 'The endCursor of the previous page (upstream pageToken).',
      }),
      filter: t.arg({ type: CustomerFilter, description: 'Narrows the list.' }),
      orderBy: t.arg({ type: CustomerOrder, description: 'The order; the sync order by default.' }),
    },
    resolve: (_root, args, ctx) =>
      ctx.services.customers.list({ ...args, first: args.first ?? DEFAULT_PAGE_SIZE }),
  }),
}));

const PreferenceInput = builder.inputType('PreferenceInput', {
  description: 'Communication preferences; on update, an absent field keeps its value.',
  fields: (t) => ({
    receiveAutoMessage: t.boolean({ description: 'Automated SMS messages (default true).' }),
    receiveAutoEmail: t.boolean({ description: 'Automated e-mails (default true).' }),
    subscribeToMarketingEmails: t.boolean({ description: 'Marketing e-mails (default false).' }),
    receiveAppointmentReminder: t.boolean({ description: 'Appointment reminders (default true).' }),
  }),
});

const complianceFlags = {
  brandedAppEnabled: 'Notifications through the branded app (default false).',
  isAgreedMarketingPolicy: 'Agreed to receive marketing communications (default false).',
  isConsented: 'Explicit consent to this configuration (default false); audited.',
};

const CustomerComplianceConfigInput = builder.inputType('CustomerComplianceConfigInput', {
  description: 'On create: plain lists.',
  fields: (t) => ({
    serviceRelatedChannels: t.field({
      type: [ComplianceChannel],
      description: 'Channels allowed for service-related notifications.',
    }),
    marketingCampaignsChannels: t.field({
      type: [ComplianceChannel],
      description: 'Channels allowed for marketing campaigns.',
    }),
    brandedAppEnabled: t.boolean({ description: complianceFlags.brandedAppEnabled }),
    isAgreedMarketingPolicy: t.boolean({ description: complianceFlags.isAgreedMarketingPolicy }),
    isConsented: t.boolean({ description: complianceFlags.isConsented }),
  }),
});

const ComplianceChannelListUpdateInput = builder.inputType('ComplianceChannelListUpdateInput', {
  description: 'On update: a list wrapper, so that absent (keep) and empty (clear) differ.',
  fields: (t) => ({
    channels: t.field({
      type: [ComplianceChannel],
      required: true,
      description: 'The new list; [] clears it.',
    }),
  }),
});

const CustomerComplianceConfigUpdateInput = builder.inputType(
  'CustomerComplianceConfigUpdateInput',
  {
    description: 'Compliance changes; an absent field keeps its value.',
    fields: (t) => ({
      serviceRelatedChannels: t.field({
        type: ComplianceChannelListUpdateInput,
        description: 'Replaces the service-related channels.',
      }),
      marketingCampaignsChannels: t.field({
        type: ComplianceChannelListUpdateInput,
        description: 'Replaces the marketing channels.',
      }),
      brandedAppEnabled: t.boolean({ description: complianceFlags.brandedAppEnabled }),
      isAgreedMarketingPolicy: t.boolean({ description: complianceFlags.isAgreedMarketingPolicy }),
      isConsented: t.boolean({ description: complianceFlags.isConsented }),
    }),
  },
);

export const TagInput = builder.inputType('TagInput', {
  description: "A tag by existing id, or by name (found or created in the company's catalog).",
  fields: (t) => ({
    id: t.id({ description: 'An existing catalog tag (ctg_…).' }),
    name: t.string({ description: 'A tag name, 1..100 characters; matched case-insensitively.' }),
  }),
});

export const NoteInput = builder.inputType('NoteInput', {
  description: 'A new note (no id), or, in updateCustomer only, an edit of an existing one (id).',
  fields: (t) => ({
    id: t.id({ description: 'The note to edit (updateCustomer only).' }),
    note: t.string({ required: true, description: 'The text, 1..10,000 characters.' }),
  }),
});

const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
  description: 'CreateCustomer: the upstream request, field for field.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
    companyId: t.id({ required: true, description: 'Must be the company of your credential.' }),
    preferredBusinessId: t.id({
      required: true,
      description: 'The preferred business location.',
    }),
    firstName: t.string({ required: true, description: '1..100 characters after trimming.' }),
    lastName: t.string({ required: true, description: '1..100 characters after trimming.' }),
    phone: t.string({
      required: true,
      description: 'A valid number in E.164 form, e.g. +12125551234.',
    }),
    email: t.string({ description: 'A valid e-mail address.' }),
    address: t.field({ type: AddressInput, description: 'The primary address.' }),
    preference: t.field({ type: PreferenceInput, description: 'Communication preferences.' }),
    tags: t.field({ type: [TagInput], description: 'Initial tags, at most 100.' }),
    notes: t.field({ type: [NoteInput], description: 'Initial notes, at most 100.' }),
    complianceConfig: t.field({
      type: CustomerComplianceConfigInput,
      description: 'Contact channels and consent.',
    }),
    source: t.string({
      description: 'How the customer was acquired (found or created as a referral source).',
    }),
    colorCode: t.string({ description: '#RRGGBB.' }),
    avatarPath: t.string({ description: 'An https URL of the profile picture.' }),
  }),
});
const _createCustomerImplements: Implements<
  typeof CreateCustomerInput.$inferInput,
  CreateCustomerInputShape
> = true;

const BulkMode = builder.enumType('BulkMode', {
  description: 'How createCustomers treats an item that fails.',
  values: {
    PER_ITEM: {
      description: 'Each item stands alone: valid items are created, invalid ones reported.',
    },
    ALL_OR_NOTHING: { description: 'One invalid item fails them all; nothing is written.' },
  },
});

const CreateCustomersInput = builder.inputType('CreateCustomersInput', {
  description: 'CreateCustomers: up to 100 customers in one call and one transaction.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
    companyId: t.id({ required: true, description: 'Must be the company of your credential.' }),
    customers: t.field({
      type: [CreateCustomerInput],
      required: true,
      description:
        '1..100 customers, each as createCustomer takes it (its companyId must equal the one above; no idempotencyKey of its own).',
    }),
    mode: t.field({
      type: BulkMode,
      defaultValue: 'PER_ITEM',
      description: 'PER_ITEM (default) or ALL_OR_NOTHING.',
    }),
  }),
});
const _createCustomersImplements: Implements<
  typeof CreateCustomersInput.$inferInput,
  CreateCustomersInputShape
> = true;

const UserError = builder.objectRef<UserErrorShape>('UserError').implement({
  description: 'A problem with one item of a bulk mutation.',
  fields: (t) => ({
    code: t.exposeString('code', {
      description:
        'The code the item would have failed with alone (INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED, ...).',
    }),
    field: t.exposeString('field', {
      nullable: true,
      description: 'Path inside the item, e.g. phone or tags[1].name; null for the whole item.',
    }),
    message: t.exposeString('message', { description: 'What is wrong, for a developer.' }),
  }),
});

const CreateCustomerResult = builder
  .objectRef<CreateCustomerResultShape>('CreateCustomerResult')
  .implement({
    description: 'The outcome of one item of createCustomers.',
    fields: (t) => ({
      index: t.exposeInt('index', { description: 'Position in the input list.' }),
      customer: t.field({
        type: Customer,
        nullable: true,
        description: 'The customer created; null when the item has errors or nothing was written.',
        resolve: (result) => result.customer,
      }),
      errors: t.field({
        type: [UserError],
        description: "The item's problems, all of them; empty when it has none.",
        resolve: (result) => result.errors,
      }),
    }),
  });

const CreateCustomersPayload = builder
  .objectRef<CreateCustomersResultShape>('CreateCustomersPayload')
  .implement({
    description: 'The result of createCustomers.',
    fields: (t) => ({
      results: t.field({
        type: [CreateCustomerResult],
        description: 'One per input item, in input order.',
        resolve: (payload) => payload.results,
      }),
      createdCount: t.exposeInt('createdCount', {
        description: 'How many customers were created.',
      }),
    }),
  });

const UpdateCustomerInput = builder.inputType('UpdateCustomerInput', {
  description:
    'UpdateCustomer: an absent field keeps its value; null clears email, avatarPath, colorCode, source.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The customer to update (cus_…).' }),
    companyId: t.id({ required: true, description: 'Must be the company of your credential.' }),
    expectedVersion: t.int({
      description:
        'When given, the update applies only if Customer.version still equals it; else ABORTED, nothing written.',
    }),
    preferredBusinessId: t.id({ description: 'The preferred business location.' }),
    avatarPath: t.string({ description: 'An https URL of the profile picture; null clears it.' }),
    firstName: t.string({ description: '1..100 characters after trimming.' }),
    lastName: t.string({ description: '1..100 characters after trimming.' }),
    phone: t.string({ description: 'A valid number in E.164 form.' }),
    email: t.string({ description: 'A valid e-mail address; null clears it.' }),
    address: t.field({
      type: AddressInput,
      description:
        'Replaces the PRIMARY address (created if none); null removes it. SECONDARY ones are kept.',
    }),
    preference: t.field({ type: PreferenceInput, description: 'Preference changes.' }),
    tags: t.field({
      type: [TagInput],
      description: "The customer's tags become exactly this set; [] clears.",
    }),
    notes: t.field({
      type: [NoteInput],
      description:
        'Entries without id are appended; entries with id edit that note. Nothing is removed.',
    }),
    complianceConfig: t.field({
      type: CustomerComplianceConfigUpdateInput,
      description: 'Compliance changes; audited.',
    }),
    status: t.field({ type: CustomerStatus, description: 'ACTIVE or INACTIVE.' }),
    source: t.string({ description: 'How the customer was acquired; null clears it.' }),
    colorCode: t.string({ description: '#RRGGBB; null clears it.' }),
  }),
});
const _updateCustomerImplements: Implements<
  typeof UpdateCustomerInput.$inferInput,
  UpdateCustomerInputShape
> = true;

const CustomerPayload = (name: string, description: string) =>
  builder.objectRef<{ customer: CustomerRow }>(name).implement({
    description,
    fields: (t) => ({
      customer: t.field({
        type: Customer,
        description: 'The customer as written.',
        resolve: (p) => p.customer,
      }),
    }),
  });

const CreateCustomerPayload = CustomerPayload(
  'CreateCustomerPayload',
  'The result of createCustomer.',
);
const UpdateCustomerPayload = CustomerPayload(
  'UpdateCustomerPayload',
  'The result of updateCustomer.',
);

const ArchiveCustomerPayload = CustomerPayload(
  'ArchiveCustomerPayload',
  'The result of archiveCustomer.',
);
const RestoreCustomerPayload = CustomerPayload(
  'RestoreCustomerPayload',
  'The result of restoreCustomer.',
);

const archiveInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      id: t.id({ required: true, description: 'The customer (cus_…).' }),
      expectedVersion: t.int({
        description: 'When given, Customer.version must still equal it; else ABORTED.',
      }),
    }),
  });
const ArchiveCustomerInput = archiveInput('ArchiveCustomerInput', 'Which customer to archive.');
const RestoreCustomerInput = archiveInput('RestoreCustomerInput', 'Which customer to restore.');

builder.mutationFields((t) => ({
  archiveCustomer: t.field({
    type: ArchiveCustomerPayload,
    description:
      'Archives the customer (the upstream deactivation: deleted: true): it leaves lists unless includeArchived, stays readable by ID, refuses changes until restored, and still counts toward the quota. Archiving an archived customer changes nothing.',
    args: {
      input: t.arg({ type: ArchiveCustomerInput, required: true, description: 'The customer.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { customer: await ctx.services.customers.setArchived(input, true) }),
  }),
  restoreCustomer: t.field({
    type: RestoreCustomerPayload,
    description:
      'Restores an archived customer (deleted: false); restoring an active one changes nothing.',
    args: {
      input: t.arg({ type: RestoreCustomerInput, required: true, description: 'The customer.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { customer: await ctx.services.customers.setArchived(input, false) }),
  }),
  createCustomer: t.field({
    type: CreateCustomerPayload,
    description:
      'CreateCustomer: registers a customer with its address, preferences, tags and notes.',
    args: {
      input: t.arg({ type: CreateCustomerInput, required: true, description: 'The new customer.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { customer: await ctx.services.customers.create(input) }),
  }),
  createCustomers: t.field({
    type: CreateCustomersPayload,
    description:
      'Bulk CreateCustomer: 1..100 in one request and one transaction, with a result per item (PER_ITEM creates the valid items; ALL_OR_NOTHING writes nothing if one fails).',
    // The answer holds up to one customer per item: what each selects counts that many times.
    complexity: ({ input }) => ({ field: 0, multiplier: Math.max(1, input.customers.length) }),
    args: {
      input: t.arg({ type: CreateCustomersInput, required: true, description: 'The customers.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, await ctx.services.customers.createMany(input)),
  }),
  updateCustomer: t.field({
    type: UpdateCustomerPayload,
    description: 'UpdateCustomer: changes the fields given, keeps the others.',
    args: {
      input: t.arg({ type: UpdateCustomerInput, required: true, description: 'The changes.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { customer: await ctx.services.customers.update(input) }),
  }),
}));

/**
 * A page of one of the customer's lists (notes, compliance history, events) as a field of
 * Customer: `first` and `after`, batched across parents by the request's page loaders.
 */
export function customerPagesField<K extends keyof PagedLists>(
  name: string,
  list: K,
  type: ObjectRef<BuilderTypes, Page<PagedLists[K]>>,
  description: string,
): void {
  builder.objectField(Customer, name, (t) =>
    t.field({
      type,
      description,
      complexity: pageCost,
      args: {
        first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE, description: 'Page size, 1..500.' }),
        after: t.arg.string({ description: 'The endCursor of the previous page.' }),
      },
      resolve: (customer, args, ctx) =>
        ctx.loaders
          .pages(list, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after })
          .load(customer.id),
    }),
  );
}

customerPagesField(
  'notes',
  'notes',
  CustomerNoteConnection,
  'Newest first. Batched across parents: a page of customers costs one query for all their notes.',
);
