// archiveCustomer / restoreCustomer: an archived customer leaves the lists unless
// includeArchived, stays readable by ID, refuses every change with FAILED_PRECONDITION until it
// is restored, keeps counting toward the quota; each mutation appends its event, and repeating
// one changes nothing.
import { describe, expect, it } from 'vitest';
import { createCustomer, expectCode, getCustomer, updateCustomer } from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const ARCHIVE = /* GraphQL */ `
  mutation($input: ArchiveCustomerInput!) {
    archiveCustomer(input: $input) { customer { id deleted lastUpdatedTime } }
  }
`;
const RESTORE = /* GraphQL */ `
  mutation($input: RestoreCustomerInput!) {
    restoreCustomer(input: $input) { customer { id deleted lastUpdatedTime } }
  }
`;
const LIST = /* GraphQL */ `
  query($companyId: ID!, $filter: CustomerFilter) {
    customers(companyId: $companyId, first: 50, filter: $filter) { totalCount edges { node { id deleted } } }
  }
`;
const EVENTS = /* GraphQL */ `
  query($companyId: ID!, $customerId: ID!) {
    customerEvents(companyId: $companyId, filter: { customerId: $customerId }) {
      edges { node { type changes { field oldValue newValue } } }
    }
  }
`;

interface Archived {
  customer: { id: string; deleted: boolean; lastUpdatedTime: string };
}

async function archive(company: TestCompany, id: string) {
  return company.gql<{ archiveCustomer: Archived }>(ARCHIVE, { input: { id } });
}
async function restore(company: TestCompany, id: string) {
  return company.gql<{ restoreCustomer: Archived }>(RESTORE, { input: { id } });
}
async function listed(company: TestCompany, filter?: Record<string, unknown>) {
  const response = await company.gql<{
    customers: { totalCount: number; edges: { node: { id: string } }[] };
  }>(LIST, { companyId: company.id, filter });
  expect(response.errors).toBeUndefined();
  return response.data!.customers;
}
async function events(company: TestCompany, customerId: string) {
  const response = await company.gql<{
    customerEvents: {
      edges: {
        node: { type: string; changes: { field: string; oldValue: unknown; newValue: unknown }[] };
      }[];
    };
  }>(EVENTS, { companyId: company.id, customerId });
  expect(response.errors).toBeUndefined();
  return response.data!.customerEvents.edges.map((edge) => edge.node);
}

describe('archiveCustomer and restoreCustomer', () => {
  it('archive: out of lists (unless includeArchived), readable by ID, changes refused; restore undoes it', async () => {
    const company = await newCompany(env);
    const kept = await createCustomer(company);
    const customer = await createCustomer(company, { notes: [{ note: 'Hi.' }] });

    const archived = await archive(company, customer.id);
    expect(archived.errors).toBeUndefined();
    expect(archived.data?.archiveCustomer.customer.deleted).toBe(true);
    expect(archived.data!.archiveCustomer.customer.lastUpdatedTime > customer.lastUpdatedTime).toBe(
      true,
    );

    expect((await listed(company)).edges.map((edge) => edge.node.id)).toEqual([kept.id]);
    expect((await listed(company)).totalCount).toBe(1);
    const all = await listed(company, { includeArchived: true });
    expect(all.edges.map((edge) => edge.node.id).sort()).toEqual([kept.id, customer.id].sort());
    expect(all.totalCount).toBe(2);
    const read = await getCustomer(company, customer.id);
    expect(read.data?.customer?.deleted).toBe(true);

    const refusals = [
      await updateCustomer(company, { id: customer.id, firstName: 'Eve' }),
      await company.gql(
        'mutation($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { notes { id } } }',
        { input: { customerId: customer.id, notes: [{ note: 'No.' }] } },
      ),
      await company.gql(
        'mutation($input: AppendCustomerTagsInput!) { appendCustomerTags(input: $input) { tags { id } } }',
        { input: { customerId: customer.id, tags: [{ name: 'VIP' }] } },
      ),
      await company.gql(
        'mutation($input: UpdateCustomerNoteInput!) { updateCustomerNote(input: $input) { note { id } } }',
        {
          input: {
            customerId: customer.id,
            noteId: customer.notes.edges[0]!.node.id,
            note: 'Edited.',
          },
        },
      ),
      await company.gql(
        'mutation($input: GenerateCustomerCofLinkInput!) { generateCustomerCofLink(input: $input) { link } }',
        { input: { customerId: customer.id } },
      ),
    ];
    for (const refused of refusals) {
      expectCode(refused, 'FAILED_PRECONDITION');
      expect(refused.errors?.[0]?.message).toMatch(/archived: restore it/);
    }
    expect((await getCustomer(company, customer.id)).data?.customer?.firstName).toBe(
      customer.firstName,
    );

    const restored = await restore(company, customer.id);
    expect(restored.errors).toBeUndefined();
    expect(restored.data?.restoreCustomer.customer.deleted).toBe(false);
    expect((await listed(company)).totalCount).toBe(2);
    const updated = await updateCustomer(company, { id: customer.id, firstName: 'Eve' });
    expect(updated.errors).toBeUndefined();

    const types = (await events(company, customer.id)).map((event) => event.type);
    expect(types).toEqual([
      'CUSTOMER_CREATED',
      'CUSTOMER_ARCHIVED',
      'CUSTOMER_RESTORED',
      'CUSTOMER_UPDATED',
    ]);
    const [, archivedEvent, restoredEvent] = await events(company, customer.id);
    expect(archivedEvent?.changes).toEqual([{ field: 'deleted', oldValue: false, newValue: true }]);
    expect(restoredEvent?.changes).toEqual([{ field: 'deleted', oldValue: true, newValue: false }]);
  });

  it('repeating one changes nothing and appends no event', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const first = await archive(company, customer.id);
    const again = await archive(company, customer.id);
    expect(again.errors).toBeUndefined();
    expect(again.data?.archiveCustomer.customer).toEqual(first.data?.archiveCustomer.customer);
    await restore(company, customer.id);
    const twice = await restore(company, customer.id);
    expect(twice.data?.restoreCustomer.customer.deleted).toBe(false);
    expect((await events(company, customer.id)).map((event) => event.type)).toEqual([
      'CUSTOMER_CREATED',
      'CUSTOMER_ARCHIVED',
      'CUSTOMER_RESTORED',
    ]);
  });

  it('archived customers count toward the quota', async () => {
    const app = await env.makeApp({ customerQuota: 2 });
    const company = await newCompany(env);
    const inApp = {
      ...company,
      gql: ((query, variables, options = {}) =>
        company.gql(query, variables, { ...options, app })) as TestCompany['gql'],
    };
    const one = await createCustomer(inApp);
    await createCustomer(inApp);
    expect((await archive(inApp, one.id)).errors).toBeUndefined();
    const third = await inApp.gql(
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
      {
        input: {
          companyId: company.id,
          preferredBusinessId: 'biz_1',
          firstName: 'A',
          lastName: 'B',
          phone: '+12125550100',
        },
      },
    );
    expectCode(third, 'RESOURCE_EXHAUSTED');
  });

  it("an unknown or another company's customer is NOT_FOUND", async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other);
    expectCode(await archive(company, theirs.id), 'NOT_FOUND');
    expectCode(await restore(company, 'cus_missing'), 'NOT_FOUND');
    expect((await getCustomer(other, theirs.id)).data?.customer?.deleted).toBe(false);
  });
});
