// Who a request acts as: the principal a credential stands for, and the scopes it may hold
// (API.md, "Identity and tenancy"). The schema declares which scope each field needs.

export const SCOPES = [
  'customers:read',
  'customers:write',
  'customers:erase',
  'webhooks:manage',
] as const;

export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope =>
  (SCOPES as readonly string[]).includes(value);

export interface Principal {
  companyId: string;
  /** Written to createdBy/lastUpdatedBy: the staff ID (JWT `sub`) or the API key's ID. */
  actorId: string;
  scopes: ReadonlySet<string>;
}
