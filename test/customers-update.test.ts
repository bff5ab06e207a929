import { describe, expect, it } from 'vitest';
import { createRepositories } from '../src/repositories/index.js';
import {
  type CustomerView,
  createCustomer,
  expectCode,
  getCustomer,
  seedExample,
  UPDATE_CUSTOMER,
  updateCustomer,
  violatedFields,
} from './helpers/customers.js';
import { newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

describe('updateCustomer', () => {
  it("accepts the seed's example 2 verbatim as input", async () => {
    // Example 2 names cus_001 of cmp_001: put that customer in place as example 1 describes it.
    const repos = createRepositories(env.store.db, 'cmp_001');
    await repos.transaction(async (tx) => {
      const now = await tx.company.lockForWrite();
      const fields = {
        preferredBusinessId: 'biz_001',
        firstName: 'John',
        lastName: 'Doe',
        phone: '+12125551234',
        email: 'john.doe@example.com',
        serviceRelatedChannels: [
          'COMPLIANCE_CHANNEL_SMS' as const,
          'COMPLIANCE_CHANNEL_EMAIL' as const,
        ],
        marketingCampaignsChannels: ['COMPLIANCE_CHANNEL_EMAIL' as const],
        brandedAppEnabled: true,
        isAgreedMarketingPolicy: true,
        isConsented: true,
        deleted: false,
        lastUpdatedTime: now,
      };
      const updated = await tx.customers.update('cus_001', fields);
      if (!updated) await tx.customers.insertMany([{ id: 'cus_001', createdTime: now, ...fields }]);
      await tx.tags.unlinkAllBut('cus_001', []);
    });
    const company = await newCompany(env, { id: 'cmp_001' });
    const before = await getCustomer(company, 'cus_001');
    const response = await company.gql<{ updateCustomer: { customer: CustomerView } }>(
      UPDATE_CUSTOMER,
      {
        input: seedExample(2),
      },
    );
    expect(response.errors).toBeUndefined();
    const customer = response.data!.updateCustomer.customer;
    expect(customer).toMatchObject({
      id: 'cus_001',
      firstName: 'John',
      lastName: 'Doe',
      phone: '+12125551234',
      email: 'john.doe@example.com',
      lastUpdatedBy: company.staffId,
      complianceConfig: {
        serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS'],
        marketingCampaignsChannels: [],
        brandedAppEnabled: true, // absent in the example: kept
        isAgreedMarketingPolicy: false,
        isConsented: false,
      },
    });
    expect(customer.address.filter((a) => a.type === 'PRIMARY')).toEqual([
      expect.objectContaining({
        address1: '123 Main St',
        city: 'New York',
        state: 'NY',
        postalCode: '10001',
      }),
    ]);
    expect(customer.tags.map((t) => t.name)).toEqual(['Frequent Visitor']);
    expect(customer.notes.edges[0]!.node.note).toBe('Prefers evening appointments now.');
    expect(Date.parse(customer.lastUpdatedTime)).toBeGreaterThanOrEqual(
      Date.parse(before.data!.customer!.lastUpdatedTime),
    );
  });

  it('keeps absent fields, clears nullable ones with null, and moves lastUpdated*', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, {
      email: 'a@example.com',
      colorCode: '#112233',
      avatarPath: 'https://example.com/a.png',
      source: 'Flyer',
    });
    const response = await updateCustomer(company, {
      id: created.id,
      email: null,
      colorCode: null,
      avatarPath: null,
      source: null,
      lastName: 'Byron',
      status: 'INACTIVE',
      preference: { subscribeToMarketingEmails: true },
    });
    expect(response.errors).toBeUndefined();
    const updated = response.data!.updateCustomer.customer;
    expect(updated).toMatchObject({
      firstName: created.firstName,
      lastName: 'Byron',
      phone: created.phone,
      email: null,
      colorCode: null,
      avatar: null,
      source: null,
      referralSource: null,
      status: 'INACTIVE',
      preference: { ...created.preference, subscribeToMarketingEmails: true },
      complianceConfig: created.complianceConfig,
      createdTime: created.createdTime,
      createdBy: created.createdBy,
    });
    expect(Date.parse(updated.lastUpdatedTime)).toBeGreaterThanOrEqual(
      Date.parse(created.lastUpdatedTime),
    );
  });

  it('refuses null on a required field, naming each one', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company);
    const response = await updateCustomer(company, {
      id: created.id,
      firstName: null,
      phone: null,
      status: null,
      preference: { receiveAutoEmail: null },
      complianceConfig: { isConsented: null, serviceRelatedChannels: null },
      tags: null,
    });
    expect(violatedFields(response)).toEqual([
      'input.complianceConfig.isConsented',
      'input.complianceConfig.serviceRelatedChannels',
      'input.firstName',
      'input.phone',
      'input.preference.receiveAutoEmail',
      'input.status',
      'input.tags',
    ]);
  });

  it('replaces the PRIMARY address, keeps SECONDARY ones, and removes the primary on null', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, {
      address: { address1: '1 Old Rd', city: 'Oldtown' },
    });
    const primaryId = created.address[0]!.id;
    await updateCustomer(company, {
      id: created.id,
      address: { address1: '9 Side St', type: 'SECONDARY' },
    });
    const replaced = await updateCustomer(company, {
      id: created.id,
      address: { street: '2 New Rd', zip: '99999' },
    });
    const addresses = replaced.data!.updateCustomer.customer.address;
    expect(addresses).toEqual([
      expect.objectContaining({
        id: primaryId,
        address1: '2 New Rd',
        postalCode: '99999',
        city: null,
        type: 'PRIMARY',
      }),
      expect.objectContaining({ address1: '9 Side St', type: 'SECONDARY' }),
    ]);
    const removed = await updateCustomer(company, { id: created.id, address: null });
    expect(removed.data!.updateCustomer.customer.address).toEqual([
      expect.objectContaining({ address1: '9 Side St', type: 'SECONDARY' }),
    ]);
    const again = await updateCustomer(company, {
      id: created.id,
      address: { address1: '3 Third Rd' },
    });
    expect(again.data!.updateCustomer.customer.address[0]).toMatchObject({
      address1: '3 Third Rd',
      type: 'PRIMARY',
    });
  });

  it('makes tags exactly the given set, [] clearing them', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, { tags: [{ name: 'A' }, { name: 'B' }] });
    const tagB = created.tags.find((t) => t.name === 'B')!;
    const set = await updateCustomer(company, {
      id: created.id,
      tags: [{ id: tagB.id }, { name: 'C' }],
    });
    expect(set.data!.updateCustomer.customer.tags.map((t) => t.name)).toEqual(['B', 'C']);
    const kept = await updateCustomer(company, { id: created.id, firstName: 'Same tags' });
    expect(kept.data!.updateCustomer.customer.tags.map((t) => t.name)).toEqual(['B', 'C']);
    const cleared = await updateCustomer(company, { id: created.id, tags: [] });
    expect(cleared.data!.updateCustomer.customer.tags).toEqual([]);
  });

  it('appends notes without id and edits notes with id, never removing any', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, {
      notes: [{ note: 'first' }, { note: 'second' }],
    });
    const first = created.notes.edges.find((e) => e.node.note === 'first')!.node;
    const response = await updateCustomer(company, {
      id: created.id,
      notes: [{ id: first.id, note: 'first, edited' }, { note: 'third' }],
    });
    expect(response.errors).toBeUndefined();
    const notes = response.data!.updateCustomer.customer.notes;
    expect(notes.totalCount).toBe(3);
    expect(notes.edges.map((e) => e.node.note)).toEqual(['third', 'second', 'first, edited']);
    const edited = notes.edges[2]!.node;
    expect(edited.createdTime).toBe(first.createdTime);
    expect(Date.parse(edited.lastUpdatedTime)).toBeGreaterThanOrEqual(
      Date.parse(first.lastUpdatedTime),
    );
  });

  it("refuses an edit of another customer's note as NOT_FOUND and changes nothing", async () => {
    const company = await newCompany(env);
    const one = await createCustomer(company, { notes: [{ note: 'mine' }] });
    const two = await createCustomer(company);
    const response = await updateCustomer(company, {
      id: two.id,
      firstName: 'Changed',
      notes: [{ id: one.notes.edges[0]!.node.id, note: 'stolen' }],
    });
    expectCode(response, 'NOT_FOUND');
    const after = await getCustomer(company, two.id);
    expect(after.data!.customer!.firstName).toBe(two.firstName);
    const original = await getCustomer(company, one.id);
    expect(original.data!.customer!.notes.edges[0]!.node.note).toBe('mine');
  });

  it('replaces channel lists through their wrappers and keeps absent ones', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, {
      complianceConfig: {
        serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS'],
        marketingCampaignsChannels: ['COMPLIANCE_CHANNEL_EMAIL', 'COMPLIANCE_CHANNEL_EMAIL'],
        isConsented: true,
      },
    });
    expect(created.complianceConfig.marketingCampaignsChannels).toEqual([
      'COMPLIANCE_CHANNEL_EMAIL',
    ]);
    const response = await updateCustomer(company, {
      id: created.id,
      complianceConfig: {
        serviceRelatedChannels: {
          channels: ['COMPLIANCE_CHANNEL_AUTO_CALL', 'COMPLIANCE_CHANNEL_SMS'],
        },
      },
    });
    expect(response.data!.updateCustomer.customer.complianceConfig).toEqual({
      serviceRelatedChannels: ['COMPLIANCE_CHANNEL_AUTO_CALL', 'COMPLIANCE_CHANNEL_SMS'],
      marketingCampaignsChannels: ['COMPLIANCE_CHANNEL_EMAIL'],
      brandedAppEnabled: false,
      isAgreedMarketingPolicy: false,
      isConsented: true,
    });
    const cleared = await updateCustomer(company, {
      id: created.id,
      complianceConfig: { marketingCampaignsChannels: { channels: [] } },
    });
    expect(
      cleared.data!.updateCustomer.customer.complianceConfig.marketingCampaignsChannels,
    ).toEqual([]);
  });

  it('answers NOT_FOUND for an unknown or malformed customer ID', async () => {
    const company = await newCompany(env);
    expectCode(
      await updateCustomer(company, { id: 'cus_doesNotExist000', firstName: 'X' }),
      'NOT_FOUND',
    );
    expectCode(await updateCustomer(company, { id: 'not-an-id', firstName: 'X' }), 'NOT_FOUND');
  });

  it('validates all fields before looking the customer up', async () => {
    const company = await newCompany(env);
    const response = await updateCustomer(company, {
      id: 'cus_doesNotExist000',
      phone: 'nope',
      email: 'nope',
    });
    expect(violatedFields(response)).toEqual(['input.email', 'input.phone']);
  });

  it('refuses to update a soft-deleted customer with FAILED_PRECONDITION', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company);
    await createRepositories(env.store.db, company.id).customers.update(created.id, {
      deleted: true,
    });
    expectCode(
      await updateCustomer(company, { id: created.id, firstName: 'X' }),
      'FAILED_PRECONDITION',
    );
    const read = await getCustomer(company, created.id);
    expect(read.data!.customer).toMatchObject({ id: created.id, deleted: true });
  });

  it('serves the second of two mutations in one document the first one’s result', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company);
    const response = await company.gql<{
      a: { customer: { firstName: string; tags: { name: string }[] } };
      b: { customer: { firstName: string; tags: { name: string }[] } };
    }>(
      `mutation($id: ID!, $c: ID!) {
        a: updateCustomer(input: { id: $id, companyId: $c, firstName: "One", tags: [{ name: "x" }] }) {
          customer { firstName tags { name } }
        }
        b: updateCustomer(input: { id: $id, companyId: $c, lastName: "Two" }) {
          customer { firstName tags { name } }
        }
      }`,
      { id: created.id, c: company.id },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.b.customer).toEqual({ firstName: 'One', tags: [{ name: 'x' }] });
  });
});
