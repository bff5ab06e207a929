// Per request: credential -> principal -> repositories bound to its company -> services ->
// loaders (src/loaders.ts), so no cache crosses requests or companies.
import type { Authenticate, Principal } from './auth.js';
import type { Database } from './db/client.js';
import { lazyObjects } from './lib/lazy.js';
import { createLoaders, type Loaders } from './loaders.js';
import { createRepositories } from './repositories/index.js';
import { type AddressService, addressService } from './services/address.js';
import { type CofLinkService, cofLinkService } from './services/card-on-file.js';
import { type ComplianceService, complianceService } from './services/compliance.js';
import type { RequestOrigin, ServiceContext } from './services/context.js';
import { type CustomerService, customerService } from './services/customer.js';
import { type NoteService, noteService } from './services/note.js';
import { type TagService, tagService } from './services/tag.js';

export interface ContextDeps {
  db: Database;
  authenticate: Authenticate;
  customerQuota: number;
  clock: () => Date;
  publicBaseUrl: string;
}

export interface Services {
  readonly customers: CustomerService;
  readonly addresses: AddressService;
  readonly notes: NoteService;
  readonly tags: TagService;
  readonly compliance: ComplianceService;
  readonly cofLinks: CofLinkService;
}

/** The request's services, each made when first used (most requests use two or three). */
const requestServices = lazyObjects<ServiceContext, Services>({
  customers: customerService,
  addresses: addressService,
  notes: noteService,
  tags: tagService,
  compliance: complianceService,
  cofLinks: cofLinkService,
});

export function createServices(
  deps: ContextDeps,
  principal: Principal,
  request: RequestOrigin,
): Services {
  return requestServices({
    principal,
    repos: createRepositories(deps.db, principal.companyId),
    customerQuota: deps.customerQuota,
    request,
    clock: deps.clock,
    publicBaseUrl: deps.publicBaseUrl,
  });
}

export interface Context {
  request: RequestOrigin;
  principal: Principal;
  services: Services;
  /** The request's DataLoaders; replaced after a write, so that later reads see it. */
  loaders: Loaders;
}

/** The request's context; synchronous when its credential was verified before. */
export function createContext(
  deps: ContextDeps,
  authorization: string | null,
  request: RequestOrigin,
): Context | Promise<Context> {
  const contextOf = (principal: Principal): Context => {
    const services = createServices(deps, principal, request);
    return { request, principal, services, loaders: createLoaders(services) };
  };
  const principal = deps.authenticate(authorization);
  return principal instanceof Promise ? principal.then(contextOf) : contextOf(principal);
}
