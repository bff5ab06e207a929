// Per request: credential -> principal -> repositories bound to its company -> services.
// DataLoaders are created per context by the Pothos dataloader plugin from these services, so
// no cache crosses requests or companies.
import type { Authenticate, Principal } from './auth.js';
import type { Database } from './db/client.js';
import { createRepositories } from './repositories/index.js';
import { addressService } from './services/address.js';
import { customerService } from './services/customer.js';
import { noteService } from './services/note.js';
import { tagService } from './services/tag.js';

export interface RequestInfo {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export interface ContextDeps {
  db: Database;
  authenticate: Authenticate;
  customerQuota: number;
}

export function createServices(deps: ContextDeps, principal: Principal) {
  const serviceContext = {
    principal,
    repos: createRepositories(deps.db, principal.companyId),
    customerQuota: deps.customerQuota,
  };
  return {
    customers: customerService(serviceContext),
    addresses: addressService(serviceContext),
    notes: noteService(serviceContext),
    tags: tagService(serviceContext),
  };
}

export type Services = ReturnType<typeof createServices>;

export interface Context {
  request: RequestInfo;
  principal: Principal;
  services: Services;
}

export async function createContext(
  deps: ContextDeps,
  authorization: string | null,
  request: RequestInfo,
): Promise<Context> {
  const principal = await deps.authenticate(authorization);
  return { request, principal, services: createServices(deps, principal) };
}
