import { describe, expect, it } from 'vitest';
import {
  CREATE_CUSTOMER,
  type CustomerView,
  countCustomers,
  createCustomer,
  expectCode,
  getCustomer,
  minimalInput,
  seedExample,
  violatedFields,
} from './helpers/customers.js';
import { newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

describe('createCustomer', () => {
  it("accepts the seed's example 1 verbatim as input and returns the customer as written", async () => {
    const company = await newCompany(env, { id: 'cmp_001' });
    const response = await company.gql<{ createCustomer: { customer: CustomerView } }>(
      CREATE_CUSTOMER,
      {
        input: seedExample(1),
      },
    );
    expect(response.errors).toBeUndefined();
    const customer = response.data!.createCustomer.customer;
    expect(customer).toMatchObject({
      companyId: 'cmp_001',
      preferredBusinessId: 'biz_001',
      firstName: 'John',
      lastName: 'Doe',
      phone: '+12125551234',
      email: 'john.doe@example.com',
      status: 'ACTIVE',
      deleted: false,
      createdBy: company.staffId,
      lastUpdatedBy: company.staffId,
      preference: {
        receiveAutoMessage: true,
        receiveAutoEmail: false,
        subscribeToMarketingEmails: true,
        receiveAppointmentReminder: true,
      },
      complianceConfig: {
        serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS', 'COMPLIANCE_CHANNEL_EMAIL'],
        marketingCampaignsChannels: ['COMPLIANCE_CHANNEL_EMAIL'],
        brandedAppEnabled: true,
        isAgreedMarketingPolicy: true,
        isConsented: true,
      },
    });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{16}$/);
    expect(customer.address).toEqual([
      expect.objectContaining({
        address1: '123 Main St',
        city: 'New York',
        state: 'NY',
        postalCode: '10001',
        type: 'PRIMARY',
      }),
    ]);
    expect(customer.address[0]!.id).toMatch(/^cad_/);
    expect(customer.tags.map((t) => t.name)).toEqual(['VIP']);
    expect(customer.tags[0]!.id).toMatch(/^ctg_/);
    expect(customer.notes.totalCount).toBe(1);
    expect(customer.notes.edges[0]!.node).toMatchObject({
      note: 'Prefers morning appointments.',
      createdBy: company.staffId,
    });
    expect(customer.notes.edges[0]!.node.id).toMatch(/^cxn_/);
    expect(customer.createdTime).toBe(customer.lastUpdatedTime);

    const read = await getCustomer(company, customer.id);
    expect(read.errors).toBeUndefined();
    expect(read.data!.customer).toEqual(customer);
  });

  it('applies the documented defaults', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    expect(customer).toMatchObject({
      status: 'ACTIVE',
      email: null,
      avatar: null,
      colorCode: null,
      source: null,
      referralSource: null,
      address: [],
      tags: [],
      notes: { totalCount: 0, edges: [] },
      lastAppointmentDate: null,
      nextAppointmentDate: null,
      upcomingAppointmentsUrl: null,
      preference: {
        receiveAutoMessage: true,
        receiveAutoEmail: true,
        subscribeToMarketingEmails: false,
        receiveAppointmentReminder: true,
      },
      complianceConfig: {
        serviceRelatedChannels: [],
        marketingCampaignsChannels: [],
        brandedAppEnabled: false,
        isAgreedMarketingPolicy: false,
        isConsented: false,
      },
    });
  });

  it('normalises the phone to E.164, trims names and keeps optional fields', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      phone: '+1 (212) 555-9876',
      firstName: '  Grace ',
      email: 'Grace.Hopper@Example.com',
      colorCode: '#a1B2c3',
      avatarPath: 'https://cdn.example.com/a/grace.png',
      source: 'Google',
      address: { address1: '1 Navy Way', coordinate: { latitude: 38.8, longitude: -77.0 } },
    });
    expect(customer).toMatchObject({
      phone: '+12125559876',
      firstName: 'Grace',
      email: 'Grace.Hopper@Example.com',
      colorCode: '#a1B2c3',
      avatar: 'https://cdn.example.com/a/grace.png',
      source: 'Google',
      referralSource: { name: 'Google' },
    });
    expect(customer.address[0]!.coordinate).toEqual({ latitude: 38.8, longitude: -77.0 });
    // The same source, spelt differently, is the same catalog entry.
    const other = await createCustomer(company, { source: 'google' });
    expect(other.referralSource?.id).toBe(customer.referralSource?.id);
  });

  it('reports every violation at once, with its field, and writes nothing', async () => {
    const company = await newCompany(env);
    const response = await company.gql(CREATE_CUSTOMER, {
      input: minimalInput(company.id, {
        firstName: '   ',
        lastName: 'x'.repeat(101),
        phone: '12345',
        email: 'not-an-email',
        colorCode: 'red',
        avatarPath: 'http://insecure.example.com/a.png',
        address: {
          street: '1 A St',
          address1: '2 B St',
          coordinate: { latitude: 91, longitude: 0 },
        },
        tags: [{ name: ' ' }, { id: 'ctg_x', name: 'both' }, {}],
        notes: [{ note: '' }, { note: 'y'.repeat(10_001) }, { id: 'cxn_1', note: 'edit' }],
      }),
    });
    expect(response.data).toBeNull();
    expect(violatedFields(response)).toEqual([
      'input.address.coordinate.latitude',
      'input.address.street',
      'input.avatarPath',
      'input.colorCode',
      'input.email',
      'input.firstName',
      'input.lastName',
      'input.notes[0].note',
      'input.notes[1].note',
      'input.notes[2].id',
      'input.phone',
      'input.tags[0].name',
      'input.tags[1]',
      'input.tags[2]',
    ]);
    expect(await countCustomers(company)).toBe(0);
  });

  it('limits notes and tags to 100 each', async () => {
    const company = await newCompany(env);
    const response = await company.gql(CREATE_CUSTOMER, {
      input: minimalInput(company.id, {
        notes: Array.from({ length: 101 }, (_, i) => ({ note: `n${i}` })),
        tags: Array.from({ length: 101 }, (_, i) => ({ name: `t${i}` })),
      }),
    });
    expect(violatedFields(response)).toEqual(['input.notes', 'input.tags']);
  });

  it('rejects a bad enum value in variables as INVALID_ARGUMENT with the field path', async () => {
    const company = await newCompany(env);
    const response = await company.gql(CREATE_CUSTOMER, {
      input: minimalInput(company.id, {
        complianceConfig: { serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS', 'CARRIER_PIGEON'] },
      }),
    });
    expect(violatedFields(response)).toEqual(['input.complianceConfig.serviceRelatedChannels[1]']);
  });

  it('names a missing required field and a variable passed under another name', async () => {
    const company = await newCompany(env);
    const { phone: _phone, ...withoutPhone } = minimalInput(company.id);
    const response = await company.gql(
      'mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { customer { id } } }',
      { in: withoutPhone },
    );
    expect(violatedFields(response)).toEqual(['input.phone']);
  });

  it('rejects a bad literal enum argument with its path', async () => {
    const company = await newCompany(env);
    const response = await company.gql(`mutation {
      createCustomer(input: {
        companyId: "${company.id}", preferredBusinessId: "b", firstName: "A", lastName: "B",
        phone: "+12125551234", address: { type: TERTIARY }
      }) { customer { id } }
    }`);
    expect(violatedFields(response)).toEqual(['input.address.type']);
  });

  it('refuses another company as PERMISSION_DENIED', async () => {
    const company = await newCompany(env);
    const response = await company.gql(CREATE_CUSTOMER, {
      input: minimalInput('cmp_someone_else'),
    });
    expectCode(response, 'PERMISSION_DENIED');
  });

  it('needs the customers:write scope', async () => {
    const company = await newCompany(env, { scope: 'customers:read' });
    const response = await company.gql(CREATE_CUSTOMER, { input: minimalInput(company.id) });
    expectCode(response, 'PERMISSION_DENIED');
  });

  it('creates initial tags once per name, case-insensitively, the first spelling winning', async () => {
    const company = await newCompany(env);
    const first = await createCustomer(company, {
      tags: [{ name: 'Senior Dog' }, { name: 'senior dog' }],
    });
    expect(first.tags.map((t) => t.name)).toEqual(['Senior Dog']);
    const second = await createCustomer(company, {
      tags: [{ name: 'SENIOR DOG' }, { id: first.tags[0]!.id }],
    });
    expect(second.tags).toEqual(first.tags);
  });

  it('refuses an unknown or foreign tag ID as NOT_FOUND and writes nothing', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const foreign = await createCustomer(other, { tags: [{ name: 'Theirs' }] });
    const response = await company.gql(CREATE_CUSTOMER, {
      input: minimalInput(company.id, { tags: [{ id: foreign.tags[0]!.id }] }),
    });
    expectCode(response, 'NOT_FOUND');
    expect(await countCustomers(company)).toBe(0);
  });

  it('keeps notes of one request in order, newest last', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      notes: [{ note: 'one' }, { note: 'two' }, { note: 'three' }],
    });
    expect(customer.notes.edges.map((e) => e.node.note)).toEqual(['three', 'two', 'one']);
  });
});

describe('the customer quota', () => {
  it('refuses the create past the quota with RESOURCE_EXHAUSTED, also when creates race', async () => {
    const app = await env.makeApp({ customerQuota: 5 });
    const company = await newCompany(env);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        company.gql(CREATE_CUSTOMER, { input: minimalInput(company.id) }, { app }),
      ),
    );
    const created = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'RESOURCE_EXHAUSTED');
    expect(created).toHaveLength(5);
    expect(refused).toHaveLength(15);
    expect(await countCustomers(company)).toBe(5);
  });
});
