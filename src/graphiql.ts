// The document GraphiQL opens with: the seed's flow as named operations. Run CreateCustomer
// first; paste the returned id into the `id` variable for the others.
export const defaultGraphiQLDocument = `# customer-graph: the upstream Customer API as one GraphQL graph.
# Your development key is already in the Headers tab. Run CreateCustomer, then copy the new
# customer's id into the variables below and run the other operations.

mutation CreateCustomer {
  createCustomer(input: {
    companyId: "cmp_001"
    preferredBusinessId: "biz_001"
    firstName: "John"
    lastName: "Doe"
    phone: "+12125551234"
    email: "john.doe@example.com"
    address: { street: "123 Main St", city: "New York", state: "NY", zip: "10001" }
    tags: [{ name: "VIP" }]
    notes: [{ note: "Prefers morning appointments." }]
    complianceConfig: {
      serviceRelatedChannels: [COMPLIANCE_CHANNEL_SMS, COMPLIANCE_CHANNEL_EMAIL]
      marketingCampaignsChannels: [COMPLIANCE_CHANNEL_EMAIL]
      isAgreedMarketingPolicy: true
      isConsented: true
    }
  }) {
    customer { id firstName lastName phone lastUpdatedTime }
  }
}

query GetCustomer($id: ID!) {
  customer(id: $id) {
    id firstName lastName phone email status
    address { address1 city state postalCode type }
    tags { id name }
    notes(first: 5) { edges { node { id note createdTime } } }
    preference { receiveAutoMessage subscribeToMarketingEmails }
    complianceConfig { serviceRelatedChannels marketingCampaignsChannels isConsented }
  }
}

mutation UpdateCustomer($id: ID!) {
  updateCustomer(input: {
    id: $id
    companyId: "cmp_001"
    tags: [{ name: "Frequent Visitor" }]
    notes: [{ note: "Prefers evening appointments now." }]
    complianceConfig: { marketingCampaignsChannels: { channels: [] }, isConsented: false }
  }) {
    customer { id lastUpdatedTime tags { name } complianceConfig { isConsented } }
  }
}

query ListCustomers {
  customers(companyId: "cmp_001", first: 20) {
    totalCount
    edges { cursor node { id firstName lastName lastUpdatedTime } }
    pageInfo { hasNextPage endCursor }
  }
}
`;
