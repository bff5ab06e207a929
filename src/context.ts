// Per request: credential -> principal -> repositories bound to its company -> services.
// DataLoaders are created per context (by the Pothos dataloader plugin, and schema/loaders.ts)
// from these services, so no cache crosses requests or companies.
import type { Authenticate, Principal } from './auth.js';
import type { Database } from './db/client.js';
import { createRepositories } from './repositories/index.js';
import { addressService } from './services/address.js';
import { cofLinkService } from './services/card-on-file.js';
import { complianceService } from './services/compliance.js';
import type { RequestOrigin, ServiceContext } from './services/context.js';
import { customerService } from './services/customer.js';
import { noteService } from './services/note.js';
import { tagService } from './services/tag.js';

export interface ContextDeps {
  db: Database;
  authenticate: Authenticate;
  customerQuota: number;
  clock: () => Date;
  publicBaseUrl: string;
}

const SERVICES = {
  customers: customerService,
  addresses: addressService,
  notes: noteService,
  tags: tagService,
  compliance: complianceService,
  cofLinks: cofLinkService,
};

export type Services = { readonly [K in keyof typeof SERVICES]: ReturnType<(typeof SERVICES)[K]> };

/** The request's services, each made when first used (most requests use two or three). */
export function createServices(
  deps: ContextDeps,
  principal: Principal,
  request: RequestOrigin,
): Services {
  const serviceContext: ServiceContext = {
    principal,
    repos: createRepositories(deps.db, principal.companyId),
    customerQuota: deps.customerQuota,
    request,
    clock: deps.clock,
    publicBaseUrl: deps.publicBaseUrl,
  };
  const made: Partial<Record<keyof Services, unknown>> = {};
  const services = {} as Services;
  for (const name of Object.keys(SERVICES) as (keyof Services)[]) {
    Object.defineProperty(services, name, {
      enumerable: true,
      get: () => {
        made[name] ??= SERVICES[name](serviceContext);
        return made[name];
      },
    });
  }
  return services;
}

export interface Context {
  request: RequestOrigin;
  principal: Principal;
  services: Services;
}

export async function createContext(
  deps: ContextDeps,
  authorization: string | null,
  request: RequestOrigin,
): Promise<Context> {
  const principal = await deps.authenticate(authorization);
  return { request, principal, services: createServices(deps, principal, request) };
}
