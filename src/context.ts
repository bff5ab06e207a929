// Per request: principal -> repositories bound to its company -> services and loaders, so that no
// statement and no cache crosses companies or requests.
import type { Principal } from './auth/principal.js';
import type { Database } from './db/client.js';
import { createLoaders, type Loaders } from './graphql/loaders.js';
import { lazyObjects } from './lib/lazy.js';
import { createRepositories } from './repositories/index.js';
import { type CofLinkService, cofLinkService } from './services/card-on-file.js';
import { type ComplianceService, complianceService } from './services/compliance.js';
import { type CustomerService, customerService } from './services/customer.js';
import { type NoteService, noteService } from './services/note.js';
import type { RequestOrigin, ServiceContext } from './services/service-context.js';
import { type TagService, tagService } from './services/tag.js';

export interface ContextDeps {
  db: Database;
  customerQuota: number;
  clock: () => Date;
  publicBaseUrl: string;
}

export interface Services {
  readonly customers: CustomerService;
  readonly notes: NoteService;
  readonly tags: TagService;
  readonly compliance: ComplianceService;
  readonly cofLinks: CofLinkService;
}

/** The request's services, each made when first used (most requests use one or two). */
const requestServices = lazyObjects<ServiceContext, Services>({
  customers: customerService,
  notes: noteService,
  tags: tagService,
  compliance: complianceService,
  cofLinks: cofLinkService,
});

export interface Context {
  principal: Principal;
  /** Where the request came from, as the consent audit trail records it. */
  origin: RequestOrigin;
  services: Services;
  /** The request's DataLoaders; renewed after a write, so that later reads see it. */
  loaders: Loaders;
}

export function createContext(
  deps: ContextDeps,
  principal: Principal,
  origin: RequestOrigin,
): Context {
  const repos = createRepositories(deps.db, principal.companyId);
  const services = requestServices({
    principal,
    repos,
    customerQuota: deps.customerQuota,
    origin,
    clock: deps.clock,
    publicBaseUrl: deps.publicBaseUrl,
  });
  return { principal, origin, services, loaders: createLoaders(repos) };
}
