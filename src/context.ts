// Per request: principal -> repositories bound to its company -> services and loaders, so that no
// statement and no cache crosses companies or requests.
import type { Principal } from './auth/principal.js';
import type { Database } from './db/client.js';
import { DeadlineExceeded } from './errors.js';
import { createLoaders, type Loaders } from './graphql/loaders.js';
import type { RequestCost } from './graphql/query-cost.js';
import type { Admission } from './lib/admission.js';
import { lazyObjects } from './lib/lazy.js';
import { createRepositories, type TransactionGuard } from './repositories/index.js';
import { type CofLinkService, cofLinkService } from './services/card-on-file.js';
import { type ComplianceService, complianceService } from './services/compliance.js';
import { type CustomerService, customerService } from './services/customer.js';
import type { EventFeed } from './services/event-feed.js';
import { type EventService, eventService } from './services/events.js';
import { type NoteService, noteService } from './services/note.js';
import type { RequestOrigin, ServiceContext } from './services/service-context.js';
import { type TagService, tagService } from './services/tag.js';
import { type WebhookService, webhookService } from './services/webhooks.js';

export interface ContextDeps {
  db: Database;
  customerQuota: number;
  clock: () => Date;
  publicBaseUrl: string;
  /** Every request's deadline, from the moment its context is made. */
  requestTimeoutMs: number;
  /** Bounds the pool connections write transactions hold (PostgreSQL); none on PGlite. */
  writes?: Admission | undefined;
  /** What subscriptions wait on between reads of the change stream. */
  eventFeed: EventFeed;
  /** Webhook endpoints may name private addresses (WEBHOOK_ALLOW_PRIVATE; tests). */
  webhooks?: { allowPrivate: boolean };
}

export interface Services {
  readonly customers: CustomerService;
  readonly notes: NoteService;
  readonly events: EventService;
  readonly tags: TagService;
  readonly compliance: ComplianceService;
  readonly cofLinks: CofLinkService;
  readonly webhooks: WebhookService;
}

/** The request's services, each made when first used (most requests use one or two). */
const requestServices = lazyObjects<ServiceContext, Services>({
  customers: customerService,
  notes: noteService,
  events: eventService,
  tags: tagService,
  compliance: complianceService,
  cofLinks: cofLinkService,
  webhooks: webhookService,
});

export interface Context {
  principal: Principal;
  /** Where the request came from, as the consent audit trail records it. */
  origin: RequestOrigin;
  services: Services;
  /** The request's DataLoaders; renewed after a write, so that later reads see it. */
  loaders: Loaders;
  /** When the request must have been answered (ms since the epoch). */
  deadlineAt: number;
  /** The document's cost and the bucket after its charge, once counted (graphql/query-cost.ts). */
  cost?: RequestCost;
}

const NO_PRIVATE_WEBHOOKS = { allowPrivate: false };

/** Time kept, at the end of a request's deadline, to roll back and answer. */
const ANSWER_MARGIN_MS = 250;

function transactionGuard(deps: ContextDeps, deadlineAt: number): TransactionGuard {
  const writes = deps.writes;
  return {
    // A write that waited for admission has less of its deadline left than the session's lock
    // and statement timeouts allow: its transaction gets what is left, less a margin to answer.
    admit: (companyId, begin) =>
      writes
        ? writes.run(companyId, deadlineAt, (waited) =>
            begin(waited ? deadlineAt - Date.now() - ANSWER_MARGIN_MS : null),
          )
        : begin(null),
    beforeCommit: () => {
      if (Date.now() > deadlineAt) throw new DeadlineExceeded();
    },
  };
}

export function createContext(
  deps: ContextDeps,
  principal: Principal,
  origin: RequestOrigin,
): Context {
  const deadlineAt = Date.now() + deps.requestTimeoutMs;
  const repos = createRepositories(
    deps.db,
    principal.companyId,
    transactionGuard(deps, deadlineAt),
  );
  const services = requestServices({
    principal,
    repos,
    customerQuota: deps.customerQuota,
    origin,
    clock: deps.clock,
    publicBaseUrl: deps.publicBaseUrl,
    eventFeed: deps.eventFeed,
    webhooks: deps.webhooks ?? NO_PRIVATE_WEBHOOKS,
  });
  return { principal, origin, services, loaders: createLoaders(repos), deadlineAt };
}
