// Who may do what, cell by cell: every root field and mutation against every kind of caller,
// including what a mutation's payload lets a write-only credential read back (only the IDs it
// returns). A root field without a row here fails the test: new fields get their row.
import { isObjectType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRepository } from '../src/repositories/api-key.js';
import { schema } from '../src/schema/index.js';
import { apiKeyService } from '../src/services/api-key.js';
import { createCustomer, minimalInput } from './helpers/customers.js';
import {
  type GraphQLResponse,
  graphql,
  newCompany,
  type TestCompany,
  useTestEnv,
} from './helpers/env.js';

const env = useTestEnv();

type Caller = 'anonymous' | 'revokedKey' | 'readOnly' | 'writeOnly' | 'readWrite' | 'otherCompany';
const CALLERS: Caller[] = [
  'anonymous',
  'revokedKey',
  'readOnly',
  'writeOnly',
  'readWrite',
  'otherCompany',
];

/** What one case needs: the company's customer, one of its notes and one of its tags. */
interface Fixture {
  companyId: string;
  customerId: string;
  noteId: string;
  tagId: string;
}

interface Case {
  /** The document; `$v` stands for the variables the case builds. */
  document: string;
  variables: (fixture: Fixture) => Record<string, unknown>;
  /** What another company's credential gets (its own read and write scopes). */
  otherCompany: 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';
}

const ids = (f: Fixture) => ({ id: f.customerId });
const QUERIES: Record<string, Case> = {
  customerDataExport: {
    document: 'query($id: ID!) { customerDataExport(id: $id) { customerId customer notes } }',
    variables: ids,
    otherCompany: 'NOT_FOUND',
  },
  customer: {
    document: 'query($id: ID!) { customer(id: $id) { id firstName } }',
    variables: ids,
    otherCompany: 'NOT_FOUND',
  },
  customersByIds: {
    // Unknown and foreign IDs are null without an error (the stitching entry point).
    document: 'query($ids: [ID!]!) { customersByIds(ids: $ids) { id firstName } }',
    variables: (f) => ({ ids: [f.customerId] }),
    otherCompany: 'OK',
  },
  customers: {
    document: 'query($c: ID!) { customers(companyId: $c) { edges { node { id firstName } } } }',
    variables: (f) => ({ c: f.companyId }),
    otherCompany: 'PERMISSION_DENIED',
  },
  customerNotes: {
    document: 'query($id: ID!) { customerNotes(customerId: $id) { edges { node { id note } } } }',
    variables: ids,
    otherCompany: 'NOT_FOUND',
  },
  customerEvents: {
    document:
      'query($c: ID!) { customerEvents(companyId: $c) { edges { node { id type changes { field } } } } }',
    variables: (f) => ({ c: f.companyId }),
    otherCompany: 'PERMISSION_DENIED',
  },
  customerTags: {
    document: 'query($id: ID!) { customerTags(customerId: $id) { id name } }',
    variables: ids,
    otherCompany: 'NOT_FOUND',
  },
  tags: {
    document: 'query($c: ID!) { tags(companyId: $c) { edges { node { id name customerCount } } } }',
    variables: (f) => ({ c: f.companyId }),
    otherCompany: 'PERMISSION_DENIED',
  },
  referralSources: {
    document: 'query($c: ID!) { referralSources(companyId: $c) { id name } }',
    variables: (f) => ({ c: f.companyId }),
    otherCompany: 'PERMISSION_DENIED',
  },
  node: {
    document: 'query($id: ID!) { node(id: $id) { id ... on CustomerNote { note } } }',
    variables: (f) => ({ id: f.noteId }),
    otherCompany: 'NOT_FOUND',
  },
  nodes: {
    document: 'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on CustomerTag { name } } }',
    variables: (f) => ({ ids: [f.tagId] }),
    otherCompany: 'NOT_FOUND',
  },
};

/** Each mutation twice: reading back only IDs (or nothing stored), and reading stored data. */
const MUTATIONS: Record<string, Case & { stored?: string }> = {
  createCustomer: {
    document:
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
    stored:
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id email } } }',
    variables: (f) => ({ input: minimalInput(f.companyId, { email: 'ada@example.com' }) }),
    otherCompany: 'PERMISSION_DENIED',
  },
  createCustomers: {
    document:
      'mutation($input: CreateCustomersInput!) { createCustomers(input: $input) { createdCount } }',
    stored:
      'mutation($input: CreateCustomersInput!) { createCustomers(input: $input) { results { customer { id email } } } }',
    variables: (f) => ({
      input: {
        companyId: f.companyId,
        customers: [minimalInput(f.companyId, { email: 'ada@example.com' })],
      },
    }),
    otherCompany: 'PERMISSION_DENIED',
  },
  updateCustomer: {
    document:
      'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }',
    stored:
      'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id firstName } } }',
    variables: (f) => ({ input: { id: f.customerId, companyId: f.companyId, firstName: 'Eve' } }),
    otherCompany: 'PERMISSION_DENIED',
  },
  archiveCustomer: {
    document:
      'mutation($input: ArchiveCustomerInput!) { archiveCustomer(input: $input) { customer { id } } }',
    stored:
      'mutation($input: ArchiveCustomerInput!) { archiveCustomer(input: $input) { customer { id firstName } } }',
    variables: (f) => ({ input: { id: f.customerId } }),
    otherCompany: 'NOT_FOUND',
  },
  restoreCustomer: {
    document:
      'mutation($input: RestoreCustomerInput!) { restoreCustomer(input: $input) { customer { id } } }',
    stored:
      'mutation($input: RestoreCustomerInput!) { restoreCustomer(input: $input) { customer { id firstName } } }',
    variables: (f) => ({ input: { id: f.customerId } }),
    otherCompany: 'NOT_FOUND',
  },
  appendCustomerNotes: {
    document: `mutation($input: AppendCustomerNotesInput!) {
      appendCustomerNotes(input: $input) { notes { id } customer { id } } }`,
    stored: `mutation($input: AppendCustomerNotesInput!) {
      appendCustomerNotes(input: $input) { notes { id note } } }`,
    variables: (f) => ({ input: { customerId: f.customerId, notes: [{ note: 'Hi.' }] } }),
    otherCompany: 'NOT_FOUND',
  },
  appendCustomerTags: {
    document: `mutation($input: AppendCustomerTagsInput!) {
      appendCustomerTags(input: $input) { tags { id } customer { id } } }`,
    stored: `mutation($input: AppendCustomerTagsInput!) {
      appendCustomerTags(input: $input) { customer { id tags { name } } } }`,
    variables: (f) => ({ input: { customerId: f.customerId, tags: [{ name: 'Puppy' }] } }),
    otherCompany: 'NOT_FOUND',
  },
  removeCustomerTags: {
    document: `mutation($input: RemoveCustomerTagsInput!) {
      removeCustomerTags(input: $input) { removedTagIds customer { id } } }`,
    stored: `mutation($input: RemoveCustomerTagsInput!) {
      removeCustomerTags(input: $input) { customer { id tags { name } } } }`,
    variables: (f) => ({ input: { customerId: f.customerId, tagIds: [f.tagId] } }),
    otherCompany: 'NOT_FOUND',
  },
  renameTag: {
    document: 'mutation($input: RenameTagInput!) { renameTag(input: $input) { tag { id } } }',
    stored: 'mutation($input: RenameTagInput!) { renameTag(input: $input) { tag { id name } } }',
    variables: (f) => ({ input: { id: f.tagId, name: `Renamed ${Math.random()}` } }),
    otherCompany: 'NOT_FOUND',
  },
  deleteTag: {
    document: 'mutation($input: DeleteTagInput!) { deleteTag(input: $input) { deletedTagId } }',
    variables: (f) => ({ input: { id: f.tagId } }),
    otherCompany: 'NOT_FOUND',
  },
  updateCustomerNote: {
    document: `mutation($input: UpdateCustomerNoteInput!) {
      updateCustomerNote(input: $input) { note { id } } }`,
    stored: `mutation($input: UpdateCustomerNoteInput!) {
      updateCustomerNote(input: $input) { note { id note } } }`,
    variables: (f) => ({ input: { customerId: f.customerId, noteId: f.noteId, note: 'Edited.' } }),
    otherCompany: 'NOT_FOUND',
  },
  deleteCustomerNote: {
    document: `mutation($input: DeleteCustomerNoteInput!) {
      deleteCustomerNote(input: $input) { deletedNoteId } }`,
    variables: (f) => ({ input: { customerId: f.customerId, noteId: f.noteId } }),
    otherCompany: 'NOT_FOUND',
  },
  generateCustomerCofLink: {
    // The link is made by the mutation, not read from the store (only its hash is kept).
    document: `mutation($input: GenerateCustomerCofLinkInput!) {
      generateCustomerCofLink(input: $input) { link expiresTime } }`,
    variables: (f) => ({ input: { customerId: f.customerId } }),
    otherCompany: 'NOT_FOUND',
  },
};

/** Fields every valid credential may read, whatever its scopes. */
const OPEN: Record<string, Case> = {
  _sdl: { document: '{ _sdl }', variables: () => ({}), otherCompany: 'OK' },
  // The caller's own bucket: no stored data.
  rateLimit: {
    document: '{ rateLimit { limit cost remaining } }',
    variables: () => ({}),
    otherCompany: 'OK',
  },
};

/**
 * Webhook endpoints need webhooks:manage, and nothing else gives them: what a manager of the
 * company gets (the endpoint and event IDs are unknown: NOT_FOUND is past the scope check).
 */
const WEBHOOKS: Record<
  string,
  { document: string; variables: (f: Fixture) => Record<string, unknown>; manager: string }
> = {
  webhookEndpoints: {
    document: 'query($c: ID!) { webhookEndpoints(companyId: $c) { id } }',
    variables: (f) => ({ c: f.companyId }),
    manager: 'OK',
  },
  webhookDeliveries: {
    document: 'query { webhookDeliveries(endpointId: "whe_none") { edges { node { id } } } }',
    variables: () => ({}),
    manager: 'NOT_FOUND',
  },
  createWebhookEndpoint: {
    document:
      'mutation($c: ID!) { createWebhookEndpoint(input: { companyId: $c, url: "https://10.0.0.1/hooks", eventTypes: [CUSTOMER_CREATED] }) { endpoint { id } } }',
    variables: (f) => ({ c: f.companyId }),
    // A private address: refused by the input rules, past the scope check.
    manager: 'INVALID_ARGUMENT',
  },
  updateWebhookEndpoint: {
    document:
      'mutation { updateWebhookEndpoint(input: { id: "whe_none", enabled: false }) { endpoint { id } } }',
    variables: () => ({}),
    manager: 'NOT_FOUND',
  },
  deleteWebhookEndpoint: {
    document: 'mutation { deleteWebhookEndpoint(input: { id: "whe_none" }) { deletedEndpointId } }',
    variables: () => ({}),
    manager: 'NOT_FOUND',
  },
  rotateWebhookEndpointSecret: {
    document: 'mutation { rotateWebhookEndpointSecret(input: { id: "whe_none" }) { secret } }',
    variables: () => ({}),
    manager: 'NOT_FOUND',
  },
  redeliverWebhookEvent: {
    document:
      'mutation { redeliverWebhookEvent(input: { endpointId: "whe_none", eventId: "cev_none" }) { delivery { id } } }',
    variables: () => ({}),
    manager: 'NOT_FOUND',
  },
};

let company: TestCompany;
let callers: Record<Caller, string | null>;

beforeAll(async () => {
  company = await newCompany(env);
  const other = await newCompany(env);
  const keys = apiKeyService(apiKeyRepository(env.store.db));
  const revoked = await keys.create({
    companyId: company.id,
    scopes: ['customers:read', 'customers:write'],
  });
  await keys.revoke(revoked.row.id);
  const scoped = async (scope: string) => (await newCompany(env, { id: company.id, scope })).token;
  callers = {
    anonymous: null,
    revokedKey: revoked.key,
    readOnly: await scoped('customers:read'),
    writeOnly: await scoped('customers:write'),
    readWrite: company.token,
    otherCompany: other.token,
  };
});

/** A customer of the company with a note and a tag, made fresh for each cell. */
async function fixture(): Promise<Fixture> {
  const customer = await createCustomer(company, {
    notes: [{ note: 'First.' }],
    tags: [{ name: 'Regular' }],
  });
  return {
    companyId: company.id,
    customerId: customer.id,
    noteId: customer.notes.edges[0]!.node.id,
    tagId: customer.tags[0]!.id,
  };
}

/** The code of a response: its first error's, or OK when it has none and data. */
function codeOf(response: GraphQLResponse): string {
  const code = response.errors?.[0]?.extensions?.code;
  if (code) return code;
  expect(response.data, JSON.stringify(response)).toBeTruthy();
  return 'OK';
}

async function run(caller: Caller, document: string, variables: Record<string, unknown>) {
  const response = await graphql(env.app, document, variables, { token: callers[caller] });
  if (caller === 'anonymous' || caller === 'revokedKey') expect(response.status).toBe(401);
  return response;
}

const refused = { anonymous: 'UNAUTHENTICATED', revokedKey: 'UNAUTHENTICATED' } as const;

const cells = (cases: Record<string, Case>, expected: (c: Case) => Record<Caller, string>) =>
  Object.entries(cases).flatMap(([field, c]) =>
    CALLERS.map((caller) => [field, caller, c, expected(c)[caller]] as const),
  );

describe('every root field and mutation, for every kind of caller', () => {
  it('has a row for every root field of the schema', () => {
    const rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
      isObjectType(type) ? Object.keys(type.getFields()) : [],
    );
    expect(rootFields.sort()).toEqual(
      Object.keys({ ...QUERIES, ...MUTATIONS, ...OPEN, ...WEBHOOKS, eraseCustomer: 0 }).sort(),
    );
  });

  it('eraseCustomer needs customers:erase, and nothing else gives it', async () => {
    const document = `mutation { eraseCustomer(input: { id: "cus_none", reason: "ticket 1" }) { erasedCustomerId } }`;
    const eraser = (await newCompany(env, { id: company.id, scope: 'customers:erase' })).token;
    // Past the scope check: an unknown customer.
    expect(codeOf(await graphql(env.app, document, {}, { token: eraser }))).toBe('NOT_FOUND');
    for (const caller of ['readOnly', 'writeOnly', 'readWrite'] as const) {
      expect(codeOf(await run(caller, document, {})), caller).toBe('PERMISSION_DENIED');
    }
    expect((await run('anonymous', document, {})).status).toBe(401);
  });

  it.each(Object.entries(WEBHOOKS))('%s needs webhooks:manage', async (field, c) => {
    const variables = c.variables(await fixture());
    const manager = (await newCompany(env, { id: company.id, scope: 'webhooks:manage' })).token;
    const asManager = await graphql(env.app, c.document, variables, { token: manager });
    expect(codeOf(asManager), JSON.stringify(asManager)).toBe(c.manager);
    for (const caller of ['readOnly', 'writeOnly', 'readWrite'] as const) {
      const response = await run(caller, c.document, variables);
      expect(codeOf(response), `${field} as ${caller}`).toBe('PERMISSION_DENIED');
    }
    expect((await run('anonymous', c.document, variables)).status).toBe(401);
  });

  it.each(
    cells(QUERIES, (c) => ({
      ...refused,
      readOnly: 'OK',
      writeOnly: 'PERMISSION_DENIED',
      readWrite: 'OK',
      otherCompany: c.otherCompany,
    })),
  )('query %s as %s', async (field, caller, c, expected) => {
    const response = await run(caller, c.document, c.variables(await fixture()));
    expect(codeOf(response), JSON.stringify(response)).toBe(expected);
    if (caller === 'otherCompany') {
      // Nothing of the company reaches another: at most a list of nulls.
      expect(JSON.stringify(response.data ?? null)).not.toMatch(/cus_|cxn_|ctg_|Ada/);
    }
    if (expected === 'PERMISSION_DENIED') expect(response.errors?.[0]?.path).toEqual([field]);
  });

  it.each(
    cells(MUTATIONS, (c) => ({
      ...refused,
      readOnly: 'PERMISSION_DENIED',
      writeOnly: 'OK',
      readWrite: 'OK',
      otherCompany: c.otherCompany,
    })),
  )('mutation %s (reading back IDs) as %s', async (_field, caller, c, expected) => {
    const response = await run(caller, c.document, c.variables(await fixture()));
    expect(codeOf(response), JSON.stringify(response)).toBe(expected);
  });

  const stored = Object.fromEntries(
    Object.entries(MUTATIONS).flatMap(([field, c]) =>
      c.stored ? [[field, { ...c, document: c.stored }]] : [],
    ),
  );
  it.each(
    cells(stored, (c) => ({
      ...refused,
      readOnly: 'PERMISSION_DENIED',
      writeOnly: 'PERMISSION_DENIED',
      readWrite: 'OK',
      otherCompany: c.otherCompany,
    })),
  )('mutation %s (reading stored data back) as %s', async (field, caller, c, expected) => {
    const response = await run(caller, c.document, c.variables(await fixture()));
    expect(codeOf(response), JSON.stringify(response)).toBe(expected);
    if (caller === 'writeOnly') {
      // The write happened; only reading its stored data back was refused, at the field read.
      const path = response.errors?.[0]?.path ?? [];
      expect(path[0]).toBe(field);
      expect(path.length).toBeGreaterThan(1);
      expect(response.errors?.[0]?.message).toMatch(/needs the customers:read scope/);
    }
  });

  it.each(
    cells(OPEN, () => ({
      ...refused,
      readOnly: 'OK',
      writeOnly: 'OK',
      readWrite: 'OK',
      otherCompany: 'OK',
    })),
  )('%s as %s', async (_field, caller, c, expected) => {
    expect(codeOf(await run(caller, c.document, c.variables(await fixture())))).toBe(expected);
  });
});

describe('a write-only credential', () => {
  it('writes, and reads back nothing stored: not the customer, its notes, tags or consent trail', async () => {
    const writer = await newCompany(env, { id: company.id, scope: 'customers:write' });
    const f = await fixture();
    const appended = await writer.gql<{ appendCustomerTags: { tags: { id: string }[] } }>(
      MUTATIONS.appendCustomerTags!.document,
      MUTATIONS.appendCustomerTags!.variables(f),
    );
    expect(appended.errors).toBeUndefined();
    const tagId = appended.data!.appendCustomerTags.tags[0]!.id;
    const selections = [
      'email',
      'notes { edges { node { note } } }',
      'tags { name }',
      'complianceHistory { edges { node { field newValue } } }',
    ];
    for (const selection of selections) {
      const read = await writer.gql(
        `mutation($input: AppendCustomerTagsInput!) {
          appendCustomerTags(input: $input) { customer { id ${selection} } }
        }`,
        { input: { customerId: f.customerId, tags: [{ id: tagId }] } },
      );
      expect(read.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [['appendCustomerTags', 'customer', selection.split(' ')[0]], 'PERMISSION_DENIED'],
      ]);
      expect(JSON.stringify(read)).not.toMatch(/First\.|Regular|Puppy|isConsented|@/);
    }
    // The tag was applied: a reader sees it.
    const read = await company.gql<{ customer: { tags: { id: string }[] } }>(
      'query($id: ID!) { customer(id: $id) { tags { id } } }',
      { id: f.customerId },
    );
    expect(read.data!.customer.tags.map((t) => t.id)).toContain(tagId);
  });
});
