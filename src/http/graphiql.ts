// What GraphiQL opens with: the seed's flow as named operations, the seed's first example as
// the `input` variable, and (outside production) the development key in the headers.
import type { GraphiQLOptions } from 'graphql-yoga';

export const graphiqlDocument = `# customer-graph: the upstream Customer API as one GraphQL graph.
# The development key for company cmp_001 is in the Headers tab; the Docs pane (book icon)
# describes every type and field.
#
# 1. Put the cursor in CreateCustomer and press Ctrl+Enter (or pick it from the run button).
# 2. Copy the returned customer id into "id" in the Variables tab.
# 3. Run the other operations in any order.

mutation CreateCustomer($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id firstName lastName phone email lastUpdatedTime }
  }
}

query GetCustomer($id: ID!) {
  customer(id: $id) {
    id firstName lastName phone email status lastUpdatedTime
    address { address1 city state postalCode type }
    preference { receiveAutoMessage receiveAutoEmail subscribeToMarketingEmails receiveAppointmentReminder }
    complianceConfig { serviceRelatedChannels marketingCampaignsChannels isAgreedMarketingPolicy isConsented }
    tags { id name }
    notes(first: 5) { edges { node { id note createdTime } } }
  }
}

mutation UpdateCustomer($id: ID!) {
  updateCustomer(input: {
    id: $id
    companyId: "cmp_001"
    tags: [{ name: "Frequent Visitor" }]
    notes: [{ note: "Prefers evening appointments now." }]
    complianceConfig: {
      serviceRelatedChannels: { channels: [COMPLIANCE_CHANNEL_SMS] }
      marketingCampaignsChannels: { channels: [] }
      isConsented: false
    }
  }) {
    customer { id lastUpdatedTime tags { name } complianceConfig { serviceRelatedChannels isConsented } }
  }
}

# The seed's third example: customers updated on 1 August 2024 (UTC), 20 a page.
query ListCustomers($after: String) {
  customers(
    companyId: "cmp_001"
    first: 20
    after: $after
    filter: { lastUpdatedTime: { startTime: "2024-08-01T00:00:00Z", endTime: "2024-08-02T00:00:00Z" } }
  ) {
    totalCount
    edges { cursor node { id firstName lastName lastUpdatedTime } }
    pageInfo { hasNextPage endCursor }
  }
}

# The front desk's search box: typos, accents and phone digits welcome; best matches first.
query SearchCustomers {
  customers(companyId: "cmp_001", first: 10, filter: { query: "jon doe" }) {
    edges { node { id firstName lastName phone email } }
  }
}

mutation AppendCustomerNotes($id: ID!) {
  appendCustomerNotes(input: {
    customerId: $id
    notes: [{ note: "Allergic to oatmeal shampoo." }, { note: "Picks up after 5 pm." }]
  }) {
    notes { id note createdBy createdTime }
  }
}

mutation AppendCustomerTags($id: ID!) {
  appendCustomerTags(input: { customerId: $id, tags: [{ name: "Groomed monthly" }, { name: "VIP" }] }) {
    tags { id name }
  }
}

mutation GenerateCardOnFileLink($id: ID!) {
  generateCustomerCofLink(input: { customerId: $id }) {
    link
    expiresTime
  }
}
`;

/** The seed's first example, verbatim, as CreateCustomer's `input`. */
export const graphiqlCreateInput = {
  companyId: 'cmp_001',
  preferredBusinessId: 'biz_001',
  firstName: 'John',
  lastName: 'Doe',
  phone: '+12125551234',
  email: 'john.doe@example.com',
  address: { street: '123 Main St', city: 'New York', state: 'NY', zip: '10001' },
  preference: {
    receiveAutoMessage: true,
    receiveAutoEmail: false,
    subscribeToMarketingEmails: true,
    receiveAppointmentReminder: true,
  },
  tags: [{ name: 'VIP' }],
  notes: [{ note: 'Prefers morning appointments.' }],
  complianceConfig: {
    serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS', 'COMPLIANCE_CHANNEL_EMAIL'],
    marketingCampaignsChannels: ['COMPLIANCE_CHANNEL_EMAIL'],
    brandedAppEnabled: true,
    isAgreedMarketingPolicy: true,
    isConsented: true,
  },
};

/**
 * GraphiQL's options: the flow, its variables and (if given) the key. Yoga's renderer hands
 * `variables` to GraphiQL's initialVariables, though its type does not list it.
 */
export function graphiqlOptions(devKey: string | null): GraphiQLOptions & { variables: string } {
  const headers = devKey ? JSON.stringify({ Authorization: `Bearer ${devKey}` }, null, 2) : '{}';
  const variables = JSON.stringify(
    { input: graphiqlCreateInput, id: 'paste the id CreateCustomer returned', after: null },
    null,
    2,
  );
  return {
    title: 'customer-graph',
    defaultQuery: graphiqlDocument,
    headers,
    variables,
    defaultEditorToolsVisibility: 'variables',
    // Descriptions of the schema itself show in the Docs pane too.
    schemaDescription: true,
  };
}
