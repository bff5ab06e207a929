// Documents and inputs the customer tests share.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { GraphQLResponse, TestCompany } from './env.js';

export function seedExample(n: 1 | 2 | 3): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/seed-example-${n}.json`, import.meta.url), 'utf8'),
  );
}

export const CUSTOMER_FIELDS = /* GraphQL */ `
  fragment CustomerFields on Customer {
    id companyId preferredBusinessId firstName lastName avatar phone email status colorCode source
    referralSource { id name }
    address { id address1 address2 city state postalCode country coordinate { latitude longitude } type }
    preference { receiveAutoMessage receiveAutoEmail subscribeToMarketingEmails receiveAppointmentReminder }
    complianceConfig {
      serviceRelatedChannels marketingCampaignsChannels brandedAppEnabled isAgreedMarketingPolicy isConsented
    }
    lastAppointmentDate nextAppointmentDate upcomingAppointmentsUrl deleted
    createdBy createdTime lastUpdatedBy lastUpdatedTime
    notes(first: 20) { totalCount edges { cursor node { id note createdBy createdTime lastUpdatedBy lastUpdatedTime } } }
    tags { id name lastUpdatedBy lastUpdatedTime }
  }
`;

export const CREATE_CUSTOMER = /* GraphQL */ `
  mutation CreateCustomer($input: CreateCustomerInput!) {
    createCustomer(input: $input) { customer { ...CustomerFields } }
  }
  ${CUSTOMER_FIELDS}
`;

export const UPDATE_CUSTOMER = /* GraphQL */ `
  mutation UpdateCustomer($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) { customer { ...CustomerFields } }
  }
  ${CUSTOMER_FIELDS}
`;

export const GET_CUSTOMER = /* GraphQL */ `
  query GetCustomer($id: ID!) { customer(id: $id) { ...CustomerFields } }
  ${CUSTOMER_FIELDS}
`;

export interface CustomerView {
  id: string;
  companyId: string;
  preferredBusinessId: string;
  firstName: string;
  lastName: string;
  avatar: string | null;
  phone: string;
  email: string | null;
  status: string;
  colorCode: string | null;
  source: string | null;
  referralSource: { id: string; name: string } | null;
  address: {
    id: string;
    address1: string | null;
    address2: string | null;
    city: string | null;
    state: string | null;
    postalCode: string | null;
    country: string | null;
    coordinate: { latitude: number; longitude: number } | null;
    type: string;
  }[];
  preference: Record<string, boolean>;
  complianceConfig: {
    serviceRelatedChannels: string[];
    marketingCampaignsChannels: string[];
    brandedAppEnabled: boolean;
    isAgreedMarketingPolicy: boolean;
    isConsented: boolean;
  };
  deleted: boolean;
  createdBy: string | null;
  createdTime: string;
  lastUpdatedBy: string | null;
  lastUpdatedTime: string;
  notes: {
    totalCount: number;
    edges: {
      cursor: string;
      node: {
        id: string;
        note: string;
        createdBy: string | null;
        createdTime: string;
        lastUpdatedBy: string | null;
        lastUpdatedTime: string;
      };
    }[];
  };
  tags: { id: string; name: string; lastUpdatedBy: string | null; lastUpdatedTime: string }[];
}

export function minimalInput(companyId: string, overrides: Record<string, unknown> = {}) {
  return {
    companyId,
    preferredBusinessId: 'biz_001',
    firstName: 'Ada',
    lastName: 'Lovelace',
    phone: '+12125551234',
    ...overrides,
  };
}

/** The single error of a response, asserting there is exactly one. */
export function onlyError(response: GraphQLResponse<unknown>) {
  expect(response.errors, JSON.stringify(response)).toHaveLength(1);
  return response.errors![0]!;
}

export function expectCode(response: GraphQLResponse<unknown>, code: string) {
  const error = onlyError(response);
  expect(error.extensions?.code, JSON.stringify(error)).toBe(code);
  return error;
}

/** The fields named by an INVALID_ARGUMENT error, sorted. */
export function violatedFields(response: GraphQLResponse<unknown>): string[] {
  const error = expectCode(response, 'INVALID_ARGUMENT');
  return (error.extensions?.fieldViolations ?? []).map((v) => v.field).sort();
}

export async function createCustomer(
  company: TestCompany,
  overrides: Record<string, unknown> = {},
) {
  const response = await company.gql<{ createCustomer: { customer: CustomerView } }>(
    CREATE_CUSTOMER,
    {
      input: minimalInput(company.id, overrides),
    },
  );
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.createCustomer.customer;
}

export async function getCustomer(company: TestCompany, id: string) {
  const response = await company.gql<{ customer: CustomerView | null }>(GET_CUSTOMER, { id });
  return response;
}

export async function updateCustomer(company: TestCompany, input: Record<string, unknown>) {
  return company.gql<{ updateCustomer: { customer: CustomerView } }>(UPDATE_CUSTOMER, {
    input: { companyId: company.id, ...input },
  });
}

/** How many customers the company's list holds. */
export async function countCustomers(company: TestCompany): Promise<number> {
  const response = await company.gql<{ customers: { totalCount: number } }>(
    'query($c: ID!) { customers(companyId: $c) { totalCount } }',
    { c: company.id },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.customers.totalCount;
}

/**
 * `n` customers of the seed's first example, named "Pet owner 0" … (the gateway tests' data), in
 * one createCustomers call, each with a phone of its own; their IDs in order.
 */
export async function createPetOwners(company: TestCompany, n: number): Promise<string[]> {
  const response = await company.gql<{
    createCustomers: { results: { customer: { id: string } | null; errors: unknown[] }[] };
  }>(
    'mutation($input: CreateCustomersInput!) { createCustomers(input: $input) { results { customer { id } errors { field message } } } }',
    {
      input: {
        companyId: company.id,
        mode: 'ALL_OR_NOTHING',
        customers: Array.from({ length: n }, (_, i) => ({
          ...seedExample(1),
          companyId: company.id,
          firstName: `Pet owner ${i}`,
          phone: `+1212555${String(3000 + i).padStart(4, '0')}`,
        })),
      },
    },
  );
  const results = response.data?.createCustomers.results ?? [];
  const ids = results.map((result) => result.customer?.id);
  if (response.errors || ids.length !== n || ids.some((id) => !id)) {
    throw new Error(`the pet owners were not created: ${JSON.stringify(response)}`);
  }
  return ids as string[];
}
