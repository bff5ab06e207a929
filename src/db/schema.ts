// Every table of the store. Tenant tables (all but api_keys) lead with company_id, and their
// primary keys, unique constraints and foreign keys include it, so that the store can be
// distributed by company (Citus-style) without a redesign.
//
// Timestamps are timestamptz read as strings ("mode: string"): PostgreSQL keeps microseconds,
// a JavaScript Date only milliseconds, and keyset cursors must be exact.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const timestamptz = (name: string) =>
  timestamp(name, { withTimezone: true, mode: 'string', precision: 6 });

/** Who wrote a row and when, who changed it last and when. */
const authorship = () => ({
  createdBy: text('created_by'),
  createdTime: timestamptz('created_time').notNull(),
  lastUpdatedBy: text('last_updated_by'),
  lastUpdatedTime: timestamptz('last_updated_time').notNull(),
});

export const customerStatus = pgEnum('customer_status', ['ACTIVE', 'INACTIVE']);
export const addressType = pgEnum('address_type', ['PRIMARY', 'SECONDARY']);
export const complianceChannel = pgEnum('compliance_channel', [
  'COMPLIANCE_CHANNEL_SMS',
  'COMPLIANCE_CHANNEL_EMAIL',
  'COMPLIANCE_CHANNEL_AUTO_CALL',
]);

/**
 * One row per company that has written anything. Its row lock serialises a company's writes,
 * so that lastUpdatedTime follows commit order (a sync by lastUpdatedTime never skips a row),
 * and it counts customers for the quota.
 */
export const companies = pgTable('companies', {
  companyId: text('company_id').primaryKey(),
  customerCount: integer('customer_count').notNull().default(0),
  createdTime: timestamptz('created_time').notNull().defaultNow(),
  /** The position of the company's last change event (customer_events.seq). */
  eventSeq: bigint('event_seq', { mode: 'number' }).notNull().default(0),
  /** The last position pruned past the retention: a cursor before it has lost events. */
  eventsPrunedSeq: bigint('events_pruned_seq', { mode: 'number' }).notNull().default(0),
});

export const referralSources = pgTable(
  'referral_sources',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull().generatedAlwaysAs(sql`lower(name)`),
    createdTime: timestamptz('created_time').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    uniqueIndex('referral_sources_name_key').on(t.companyId, t.nameKey),
  ],
);

export const customers = pgTable(
  'customers',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    preferredBusinessId: text('preferred_business_id').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    avatarPath: text('avatar_path'),
    phone: text('phone').notNull(),
    email: text('email'),
    status: customerStatus('status').notNull().default('ACTIVE'),
    colorCode: text('color_code'),
    source: text('source'),
    referralSourceId: text('referral_source_id'),
    receiveAutoMessage: boolean('receive_auto_message').notNull().default(true),
    receiveAutoEmail: boolean('receive_auto_email').notNull().default(true),
    subscribeToMarketingEmails: boolean('subscribe_to_marketing_emails').notNull().default(false),
    receiveAppointmentReminder: boolean('receive_appointment_reminder').notNull().default(true),
    serviceRelatedChannels: complianceChannel('service_related_channels')
      .array()
      .notNull()
      .default(sql`'{}'`),
    marketingCampaignsChannels: complianceChannel('marketing_campaigns_channels')
      .array()
      .notNull()
      .default(sql`'{}'`),
    brandedAppEnabled: boolean('branded_app_enabled').notNull().default(false),
    isAgreedMarketingPolicy: boolean('is_agreed_marketing_policy').notNull().default(false),
    isConsented: boolean('is_consented').notNull().default(false),
    lastAppointmentDate: timestamptz('last_appointment_date'),
    nextAppointmentDate: timestamptz('next_appointment_date'),
    upcomingAppointmentsUrl: text('upcoming_appointments_url'),
    deleted: boolean('deleted').notNull().default(false),
    /** Committed changes of the customer and what it carries (notes, tags, addresses, consent). */
    version: integer('version').notNull().default(1),
    /** When its personal data was erased (eraseCustomer): the row is a tombstone from then on. */
    erasedTime: timestamptz('erased_time'),
    // What filter.query searches: the names and e-mail folded (customer_search_fold: accents
    // removed, lower case, drizzle/0009), and the phone's digits.
    searchText: text('search_text')
      .notNull()
      .generatedAlwaysAs(
        sql`customer_search_fold(first_name || ' ' || last_name || coalesce(' ' || email, ''))`,
      ),
    phoneDigits: text('phone_digits')
      .notNull()
      .generatedAlwaysAs(sql`regexp_replace(phone, '[^0-9]', '', 'g')`),
    ...authorship(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    // filter.query: trigrams of both, within the company (btree_gin).
    index('customers_search_idx').using(
      'gin',
      t.companyId,
      t.searchText.op('gin_trgm_ops'),
      t.phoneDigits.op('gin_trgm_ops'),
    ),
    // ListCustomers, one index per order (read either way), archived rows included
    // (includeArchived); the other filters are checked on the rows the order walks.
    index('customers_updated_idx').on(t.companyId, t.lastUpdatedTime, t.id),
    index('customers_created_idx').on(t.companyId, t.createdTime, t.id),
    // NAME: case-insensitive and byte-wise, the expressions repositories/customer.ts sorts by.
    index('customers_name_idx').on(
      t.companyId,
      sql`(lower(${t.lastName}) collate "C")`,
      sql`(lower(${t.firstName}) collate "C")`,
      t.id,
    ),
    // filter.mainPhoneNumber, filter.preferredBusinessId and filter.status, in the sync order
    // (the other orders walk their own index and check these on its rows).
    index('customers_phone_idx').on(t.companyId, t.phone, t.lastUpdatedTime, t.id),
    index('customers_business_idx').on(t.companyId, t.preferredBusinessId, t.lastUpdatedTime, t.id),
    index('customers_status_idx').on(t.companyId, t.status, t.lastUpdatedTime, t.id),
    foreignKey({
      columns: [t.companyId, t.referralSourceId],
      foreignColumns: [referralSources.companyId, referralSources.id],
    }),
  ],
);

export const customerAddresses = pgTable(
  'customer_addresses',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    type: addressType('type').notNull(),
    address1: text('address1'),
    address2: text('address2'),
    city: text('city'),
    state: text('state'),
    postalCode: text('postal_code'),
    country: text('country'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    createdTime: timestamptz('created_time').notNull(),
    lastUpdatedTime: timestamptz('last_updated_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    index('customer_addresses_customer_idx').on(t.companyId, t.customerId),
    // At most one PRIMARY address per customer.
    uniqueIndex('customer_addresses_primary_key')
      .on(t.companyId, t.customerId)
      .where(sql`type = 'PRIMARY'`),
    foreignKey({
      columns: [t.companyId, t.customerId],
      foreignColumns: [customers.companyId, customers.id],
    }).onDelete('cascade'),
  ],
);

export const customerNotes = pgTable(
  'customer_notes',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    note: text('note').notNull(),
    /** Edits of the note's text. */
    version: integer('version').notNull().default(1),
    ...authorship(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    // Newest first per customer, (createdTime desc, id desc), is a backward scan of this index.
    index('customer_notes_customer_idx').on(t.companyId, t.customerId, t.createdTime, t.id),
    foreignKey({
      columns: [t.companyId, t.customerId],
      foreignColumns: [customers.companyId, customers.id],
    }).onDelete('cascade'),
  ],
);

/** The company's tag catalog; names are unique per company, case-insensitively. */
export const tags = pgTable(
  'tags',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull().generatedAlwaysAs(sql`lower(name)`),
    ...authorship(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    uniqueIndex('tags_name_key').on(t.companyId, t.nameKey),
  ],
);

/** Which catalog tags a customer carries. */
export const customerTags = pgTable(
  'customer_tags',
  {
    companyId: text('company_id').notNull(),
    customerId: text('customer_id').notNull(),
    tagId: text('tag_id').notNull(),
    createdBy: text('created_by'),
    createdTime: timestamptz('created_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.customerId, t.tagId] }),
    index('customer_tags_tag_idx').on(t.companyId, t.tagId),
    foreignKey({
      columns: [t.companyId, t.customerId],
      foreignColumns: [customers.companyId, customers.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.companyId, t.tagId],
      foreignColumns: [tags.companyId, tags.id],
    }).onDelete('cascade'),
  ],
);

/**
 * The append-only audit trail of compliance changes: one row per field that changed value.
 * The database refuses to update, delete or truncate it (see the migration's trigger).
 */
export const complianceChanges = pgTable(
  'compliance_changes',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    field: text('field').notNull(),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    actor: text('actor').notNull(),
    changedTime: timestamptz('changed_time').notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    // Newest first per customer is a backward scan of this index.
    index('compliance_changes_customer_idx').on(t.companyId, t.customerId, t.changedTime, t.id),
    // No cascade: a customer with a trail cannot be hard-deleted.
    foreignKey({
      columns: [t.companyId, t.customerId],
      foreignColumns: [customers.companyId, customers.id],
    }),
  ],
);

/**
 * Card-on-file links: single use, 24 hours. Only the SHA-256 hash of the token is kept.
 */
export const cofLinks = pgTable(
  'cof_links',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdTime: timestamptz('created_time').notNull(),
    expiresTime: timestamptz('expires_time').notNull(),
    usedTime: timestamptz('used_time'),
    revokedTime: timestamptz('revoked_time'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    uniqueIndex('cof_links_token_key').on(t.companyId, t.tokenHash),
    index('cof_links_customer_idx').on(t.companyId, t.customerId),
    foreignKey({
      columns: [t.companyId, t.customerId],
      foreignColumns: [customers.companyId, customers.id],
    }).onDelete('cascade'),
  ],
);

/**
 * Routes a card-on-file token (by hash) to its company. A link is opened by someone with no
 * credential, so its company is not known until this lookup; kept apart, like api_keys, so that
 * every statement on a tenant table still filters by company.
 */
export const cofLinkRoutes = pgTable('cof_link_routes', {
  tokenHash: text('token_hash').primaryKey(),
  companyId: text('company_id').notNull(),
});

/** What the development card-on-file provider records for each redeemed link. */
export const cardSetups = pgTable(
  'card_setups',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    linkId: text('link_id').notNull(),
    provider: text('provider').notNull(),
    /** The provider's own ID of the setup (e.g. a hosted setup session). */
    reference: text('reference'),
    createdTime: timestamptz('created_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    uniqueIndex('card_setups_link_key').on(t.companyId, t.linkId),
    foreignKey({
      columns: [t.companyId, t.customerId],
      foreignColumns: [customers.companyId, customers.id],
    }).onDelete('cascade'),
  ],
);

/** API keys are looked up by hash before the company is known: a non-tenant table. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  companyId: text('company_id').notNull(),
  name: text('name').notNull(),
  scopes: text('scopes').array().notNull(),
  keyHash: text('key_hash').notNull().unique(),
  createdTime: timestamptz('created_time').notNull().defaultNow(),
  revokedTime: timestamptz('revoked_time'),
});

/**
 * Rate-limit buckets of query cost, one per credential (an API key, or a JWT's company and
 * subject), shared by every process: points available as of `updatedTime`, refilled on each
 * charge (services/rate-limit.ts). A non-tenant table, keyed by the credential.
 */
export const rateLimitBuckets = pgTable('rate_limit_buckets', {
  bucketId: text('bucket_id').primaryKey(),
  available: doublePrecision('available').notNull(),
  updatedTime: timestamptz('updated_time').notNull(),
  /** What the last charge took: its cost, or 0 when the bucket did not hold it. */
  taken: doublePrecision('taken').notNull().default(0),
});

/**
 * The change stream (a transactional outbox): one row per customer touched by a committed write,
 * appended in the write's transaction. `seq` is the company's position, taken by incrementing
 * companies.event_seq: that takes the company's row lock, held until commit, so a company's
 * events commit in seq order and a reader that has passed a position never meets an event
 * behind it. No foreign key to the customer: an erased customer's events stay (scrubbed).
 */
export const customerEvents = pgTable(
  'customer_events',
  {
    companyId: text('company_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    type: text('type').notNull(),
    changes: jsonb('changes').notNull(),
    actor: text('actor'),
    requestId: text('request_id'),
    occurredTime: timestamptz('occurred_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.seq] }),
    uniqueIndex('customer_events_id_key').on(t.companyId, t.id),
    // Customer.history (newest first) and customerEvents(filter: { customerId }).
    index('customer_events_customer_idx').on(t.companyId, t.customerId, t.occurredTime, t.id),
    // Pruning past the retention: rows are appended in time order, so a BRIN index is enough.
    index('customer_events_time_brin').using('brin', t.occurredTime),
  ],
);

/**
 * Webhook endpoints: an HTTPS URL per company and the event types it takes, signed per the
 * Standard Webhooks spec with `secret`, and with `previousSecret` until `previousSecretExpires`
 * after a rotation. The secrets are kept as given (signing needs them), like any provider's.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    url: text('url').notNull(),
    eventTypes: text('event_types').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    description: text('description'),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpires: timestamptz('previous_secret_expires'),
    createdTime: timestamptz('created_time').notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.id] })],
);

/**
 * One event to one endpoint: created with the event (same transaction), claimed by a delivery
 * worker when due, in order per endpoint and customer (an earlier PENDING one holds the later).
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    companyId: text('company_id').notNull(),
    id: text('id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    eventSeq: bigint('event_seq', { mode: 'number' }).notNull(),
    customerId: text('customer_id').notNull(),
    eventType: text('event_type').notNull(),
    status: text('status').notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptTime: timestamptz('next_attempt_time'),
    lastAttemptTime: timestamptz('last_attempt_time'),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    createdTime: timestamptz('created_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    // webhookDeliveries(endpointId), newest first.
    index('webhook_deliveries_endpoint_idx').on(t.companyId, t.endpointId, t.createdTime, t.id),
    // The worker's claim: due PENDING deliveries, and the earlier ones of the same customer.
    index('webhook_deliveries_pending_idx').on(t.nextAttemptTime).where(sql`status = 'PENDING'`),
    index('webhook_deliveries_order_idx')
      .on(t.companyId, t.endpointId, t.customerId, t.eventSeq)
      .where(sql`status = 'PENDING'`),
    foreignKey({
      columns: [t.companyId, t.endpointId],
      foreignColumns: [webhookEndpoints.companyId, webhookEndpoints.id],
    }).onDelete('cascade'),
  ],
);

export type CustomerRow = typeof customers.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type CustomerEventRow = typeof customerEvents.$inferSelect;
export type AddressRow = typeof customerAddresses.$inferSelect;
export type NoteRow = typeof customerNotes.$inferSelect;
export type TagRow = typeof tags.$inferSelect;
export type ReferralSourceRow = typeof referralSources.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ComplianceChangeRow = typeof complianceChanges.$inferSelect;
export type CofLinkRow = typeof cofLinks.$inferSelect;
export type ComplianceChannelValue = (typeof complianceChannel.enumValues)[number];
export type CustomerStatusValue = (typeof customerStatus.enumValues)[number];
export type AddressTypeValue = (typeof addressType.enumValues)[number];

/**
 * Idempotency keys (services/idempotency.ts): per company and key, the mutation and the hash of
 * its canonical arguments, and the IDs its first successful call made (null until that call's
 * transaction has them). Kept 24 hours, pruned in batches by created_time.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    companyId: text('company_id').notNull(),
    key: text('key').notNull(),
    operation: text('operation').notNull(),
    requestHash: text('request_hash').notNull(),
    result: jsonb('result'),
    createdTime: timestamptz('created_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.key] }),
    index('idempotency_keys_created_idx').on(t.createdTime),
  ],
);
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;

// Automatic persisted queries (APQ), shared by every process and replica: a document registered on
// one is served by hash on all (graphql/document-caches.ts). Not a tenant table: a hash names a
// document text, the same for every company; kept 24 hours from its last registration.
export const persistedQueries = pgTable(
  'persisted_queries',
  {
    hash: text('hash').primaryKey(),
    query: text('query').notNull(),
    registeredTime: timestamptz('registered_time').notNull().defaultNow(),
  },
  (t) => [index('persisted_queries_registered_idx').on(t.registeredTime)],
);
