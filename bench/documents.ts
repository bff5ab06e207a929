// The read documents the benchmarks send: a page of customers and one customer, each with its
// scalar fields, address, first five notes and tags.
const SELECTION = /* GraphQL */ `
  fragment C on Customer {
    id companyId preferredBusinessId firstName lastName avatar phone email status colorCode source
    lastAppointmentDate nextAppointmentDate upcomingAppointmentsUrl deleted createdBy createdTime
    lastUpdatedBy lastUpdatedTime
    address { id address1 address2 city state postalCode country type }
    notes(first: 5) { edges { node { id note createdBy createdTime lastUpdatedTime } } }
    tags { id name }
  }
`;
export const LIST = `query List($companyId: ID!, $first: Int!, $after: String) {
  customers(companyId: $companyId, first: $first, after: $after) {
    edges { node { ...C } } pageInfo { hasNextPage endCursor } } } ${SELECTION}`;
export const LIST_ORDERED = `query Sorted($companyId: ID!, $first: Int!, $after: String, $orderBy: CustomerOrder) {
  customers(companyId: $companyId, first: $first, after: $after, orderBy: $orderBy) {
    edges { node { ...C } } pageInfo { hasNextPage endCursor } } } ${SELECTION}`;
export const SEARCH = `query Search($companyId: ID!, $first: Int!, $filter: CustomerFilter) {
  customers(companyId: $companyId, first: $first, filter: $filter) {
    edges { node { ...C } } pageInfo { hasNextPage endCursor } } } ${SELECTION}`;
export const BY_ID = `query ById($id: ID!) { customer(id: $id) { ...C } } ${SELECTION}`;
