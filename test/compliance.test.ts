import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createRepositories } from '../src/repositories/index.js';
import { rowsOf } from '../src/repositories/sql.js';
import {
  CREATE_CUSTOMER,
  createCustomer,
  expectCode,
  seedExample,
  UPDATE_CUSTOMER,
  updateCustomer,
} from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const HISTORY = /* GraphQL */ `
  query History($id: ID!, $first: Int, $after: String) {
    customer(id: $id) {
      complianceHistory(first: $first, after: $after) {
        totalCount
        edges { cursor node { id field oldValue newValue actor changedTime requestId ip userAgent } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

interface Change {
  id: string;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  actor: string;
  changedTime: string;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

async function history(company: TestCompany, id: string): Promise<Change[]> {
  const response = await company.gql<{
    customer: { complianceHistory: { edges: { node: Change }[] } };
  }>(HISTORY, { id, first: 500 });
  expect(response.errors).toBeUndefined();
  return response.data!.customer.complianceHistory.edges.map((e) => e.node);
}

const byField = (changes: Change[]) =>
  Object.fromEntries(changes.map((c) => [c.field, [c.oldValue, c.newValue]]));

const ORIGIN = {
  'x-request-id': 'req-consent-1',
  'x-forwarded-for': '203.0.113.7',
  'user-agent': 'FrontDesk/2.1',
};

describe('the consent audit trail', () => {
  it('records every field of a new customer, with who, when, the request and where from', async () => {
    const company = await newCompany(env, { id: 'cmp_001' });
    const response = await company.gql<{
      createCustomer: { customer: { id: string; createdTime: string } };
    }>(CREATE_CUSTOMER, { input: seedExample(1) }, { headers: ORIGIN });
    const customer = response.data!.createCustomer.customer;
    const changes = await history(company, customer.id);
    expect(byField(changes)).toEqual({
      serviceRelatedChannels: [null, ['COMPLIANCE_CHANNEL_SMS', 'COMPLIANCE_CHANNEL_EMAIL']],
      marketingCampaignsChannels: [null, ['COMPLIANCE_CHANNEL_EMAIL']],
      brandedAppEnabled: [null, true],
      isAgreedMarketingPolicy: [null, true],
      isConsented: [null, true],
    });
    for (const change of changes) {
      expect(change).toMatchObject({
        actor: company.staffId,
        changedTime: customer.createdTime,
        requestId: 'req-consent-1',
        ip: '203.0.113.7',
        userAgent: 'FrontDesk/2.1',
      });
      expect(change.id).toMatch(/^cch_/);
    }
  });

  it("records the seed's example 2 withdrawing consent, field by field, and only what changed", async () => {
    const company = await newCompany(env, { id: 'cmp_001' });
    const created = await company.gql<{ createCustomer: { customer: { id: string } } }>(
      CREATE_CUSTOMER,
      {
        input: seedExample(1),
      },
    );
    const id = created.data!.createCustomer.customer.id;
    const withdrawer = await newCompany(env, { id: 'cmp_001' });
    const updated = await withdrawer.gql<{
      updateCustomer: { customer: { lastUpdatedTime: string } };
    }>(
      UPDATE_CUSTOMER,
      { input: { ...seedExample(2), id } },
      { headers: { ...ORIGIN, 'x-request-id': 'req-withdraw' } },
    );
    expect(updated.errors).toBeUndefined();
    const changes = await history(withdrawer, id);
    const latest = changes.filter((c) => c.requestId === 'req-withdraw');
    expect(byField(latest)).toEqual({
      serviceRelatedChannels: [
        ['COMPLIANCE_CHANNEL_SMS', 'COMPLIANCE_CHANNEL_EMAIL'],
        ['COMPLIANCE_CHANNEL_SMS'],
      ],
      marketingCampaignsChannels: [['COMPLIANCE_CHANNEL_EMAIL'], []],
      isAgreedMarketingPolicy: [true, false],
      isConsented: [true, false],
    });
    for (const change of latest) {
      expect(change.actor).toBe(withdrawer.staffId);
      expect(change.changedTime).toBe(updated.data!.updateCustomer.customer.lastUpdatedTime);
    }
    // Newest first: the withdrawal before the creation.
    expect(changes.slice(0, 4).every((c) => c.requestId === 'req-withdraw')).toBe(true);
    expect(changes).toHaveLength(9);
  });

  it('writes nothing for a no-op update, channels in another order included', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      complianceConfig: {
        serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS', 'COMPLIANCE_CHANNEL_EMAIL'],
        isConsented: true,
      },
    });
    const response = await updateCustomer(company, {
      id: customer.id,
      complianceConfig: {
        serviceRelatedChannels: {
          channels: ['COMPLIANCE_CHANNEL_EMAIL', 'COMPLIANCE_CHANNEL_SMS'],
        },
        isConsented: true,
        brandedAppEnabled: false,
      },
    });
    expect(response.data!.updateCustomer.customer.complianceConfig.serviceRelatedChannels).toEqual([
      'COMPLIANCE_CHANNEL_SMS',
      'COMPLIANCE_CHANNEL_EMAIL',
    ]);
    expect(await history(company, customer.id)).toHaveLength(5);
  });

  it('writes nothing when the update fails', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const response = await updateCustomer(company, {
      id: customer.id,
      complianceConfig: { isConsented: true },
      tags: [{ id: 'ctg_doesNotExist00000' }],
    });
    expectCode(response, 'NOT_FOUND');
    expect(await history(company, customer.id)).toHaveLength(5);
  });

  it('pages newest first with cursors bound to the customer', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    for (const isConsented of [true, false, true]) {
      await updateCustomer(company, { id: customer.id, complianceConfig: { isConsented } });
    }
    const all = await history(company, customer.id);
    expect(all.slice(0, 3).map((c) => c.newValue)).toEqual([true, false, true]);
    const page = await company.gql<{
      customer: {
        complianceHistory: {
          totalCount: number;
          pageInfo: { endCursor: string; hasNextPage: boolean };
        };
      };
    }>(HISTORY, { id: customer.id, first: 2 });
    expect(page.data!.customer.complianceHistory).toMatchObject({
      totalCount: 8,
      pageInfo: { hasNextPage: true },
    });
    const next = await company.gql<{
      customer: { complianceHistory: { edges: { node: Change }[] } };
    }>(HISTORY, {
      id: customer.id,
      first: 2,
      after: page.data!.customer.complianceHistory.pageInfo.endCursor,
    });
    expect(next.data!.customer.complianceHistory.edges.map((e) => e.node.id)).toEqual(
      all.slice(2, 4).map((c) => c.id),
    );
  });

  it('is refused by the database: no UPDATE, DELETE or TRUNCATE of a trail row', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { complianceConfig: { isConsented: true } });
    for (const statement of [
      sql`update compliance_changes set new_value = 'false' where customer_id = ${customer.id}`,
      sql`delete from compliance_changes where customer_id = ${customer.id}`,
      sql`truncate compliance_changes`,
    ]) {
      await expect(env.store.db.execute(statement)).rejects.toThrow();
    }
    const rows = rowsOf<{ new_value: unknown }>(
      await env.store.db.execute(
        sql`select new_value from compliance_changes where customer_id = ${customer.id} and field = 'isConsented'`,
      ),
    );
    expect(rows).toEqual([{ new_value: true }]);
    // Nor can the customer it belongs to be removed from under it.
    await expect(
      env.store.db.execute(sql`delete from customers where id = ${customer.id}`),
    ).rejects.toThrow();
  });
});

describe('canContact', () => {
  const DECIDE = /* GraphQL */ `
    query($id: ID!, $channel: ComplianceChannel!, $purpose: ContactPurpose!) {
      customer(id: $id) { canContact(channel: $channel, purpose: $purpose) { allowed reason } }
    }
  `;

  async function decide(company: TestCompany, id: string, channel: string, purpose: string) {
    const response = await company.gql<{
      customer: { canContact: { allowed: boolean; reason: string } };
    }>(DECIDE, {
      id,
      channel,
      purpose,
    });
    expect(response.errors).toBeUndefined();
    return response.data!.customer.canContact;
  }

  it.each([
    [
      'SERVICE on a listed channel',
      {},
      'COMPLIANCE_CHANNEL_SMS',
      'SERVICE',
      true,
      /SMS is in serviceRelatedChannels/,
    ],
    [
      'SERVICE on an unlisted channel',
      {},
      'COMPLIANCE_CHANNEL_AUTO_CALL',
      'SERVICE',
      false,
      /not in serviceRelatedChannels/,
    ],
    [
      'MARKETING with everything in place',
      {},
      'COMPLIANCE_CHANNEL_EMAIL',
      'MARKETING',
      true,
      /with consent/,
    ],
    [
      'MARKETING without consent',
      { isConsented: false },
      'COMPLIANCE_CHANNEL_EMAIL',
      'MARKETING',
      false,
      /not consented/,
    ],
    [
      'MARKETING without the marketing policy',
      { isAgreedMarketingPolicy: false },
      'COMPLIANCE_CHANNEL_EMAIL',
      'MARKETING',
      false,
      /marketing policy/,
    ],
    [
      'MARKETING on an unlisted channel',
      {},
      'COMPLIANCE_CHANNEL_SMS',
      'MARKETING',
      false,
      /not in marketingCampaignsChannels/,
    ],
  ])('decides %s', async (_name, overrides, channel, purpose, allowed, reason) => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      complianceConfig: {
        serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS'],
        marketingCampaignsChannels: ['COMPLIANCE_CHANNEL_EMAIL'],
        isConsented: true,
        isAgreedMarketingPolicy: true,
        ...overrides,
      },
    });
    const decision = await decide(company, customer.id, channel, purpose);
    expect(decision.allowed).toBe(allowed);
    expect(decision.reason).toMatch(reason);
  });

  it('allows nothing for a deleted customer', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      complianceConfig: { serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS'] },
    });
    await createRepositories(env.store.db, company.id).customers.update(customer.id, {
      deleted: true,
    });
    expect(await decide(company, customer.id, 'COMPLIANCE_CHANNEL_SMS', 'SERVICE')).toEqual({
      allowed: false,
      reason: 'The customer is deleted.',
    });
  });
});
