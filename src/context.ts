// Per request: principal -> repositories bound to its company -> services and loaders, so that no
// statement and no cache crosses companies or requests.
import type { Principal } from './auth/principal.js';
import type { Database, Handles, StatementObserver } from './db/client.js';
import { DeadlineExceeded } from './errors.js';
import { type BatchTracing, createLoaders, type Loaders } from './graphql/loaders.js';
import type { RequestCost } from './graphql/query-cost.js';
import type { Admission } from './lib/admission.js';
import { lazyObjects } from './lib/lazy.js';
import type { RequestTrace } from './lib/tracing.js';
import {
  createRepositories,
  type Repositories,
  type TransactionGuard,
} from './repositories/index.js';
import { type CofLinkService, cofLinkService } from './services/card-on-file.js';
import { type ComplianceService, complianceService } from './services/compliance.js';
import { type CustomerService, customerService } from './services/customer.js';
import type { EventFeed } from './services/event-feed.js';
import { type EventService, eventService } from './services/events.js';
import { type NoteService, noteService } from './services/note.js';
import { type PrivacyService, privacyService } from './services/privacy.js';
import type { RequestOrigin, ServiceContext } from './services/service-context.js';
import { type TagService, tagService } from './services/tag.js';
import { type WebhookService, webhookService } from './services/webhooks.js';

export interface ContextDeps {
  db: Database;
  /** The same database, its statements also told to an observer (a traced request's spans). */
  observedDb?: ((observe: StatementObserver) => Database) | undefined;
  /** A streaming replica's handles for a query's reads, when one is fit (db/replicas.ts). */
  replica?: (() => Handles | null) | undefined;
  customerQuota: number;
  clock: () => Date;
  publicBaseUrl: string;
  /** Every request's deadline, from the moment its context is made. */
  requestTimeoutMs: number;
  /**
   * Whether the pool's sessions carry the statement and lock timeouts; when not (behind a pooler),
   * every transaction sets them to what is left of its request's deadline.
   */
  sessionTimeouts?: boolean;
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
  readonly privacy: PrivacyService;
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
  privacy: privacyService,
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
  /** The request's spans, when tracing is on and the request sampled (graphql/tracing.ts). */
  trace?: RequestTrace | undefined;
  /** Where the request's repositories read: a streaming replica, or the primary. */
  readsFrom: 'replica' | 'primary';
}

const NO_PRIVATE_WEBHOOKS = { allowPrivate: false };

/** Time kept, at the end of a request's deadline, to roll back and answer. */
const ANSWER_MARGIN_MS = 250;

function transactionGuard(deps: ContextDeps, deadlineAt: number): TransactionGuard {
  const writes = deps.writes;
  const ownTimeouts = deps.sessionTimeouts === false;
  const timeLeft = (waited: boolean) =>
    waited || ownTimeouts ? deadlineAt - Date.now() - ANSWER_MARGIN_MS : null;
  return {
    // A write that waited for admission has less of its deadline left than the session's lock
    // and statement timeouts allow: its transaction gets what is left, less a margin to answer.
    admit: (companyId, begin) =>
      writes
        ? writes.run(companyId, deadlineAt, (waited) => begin(timeLeft(waited)))
        : begin(timeLeft(false)),
    beforeCommit: () => {
      if (Date.now() > deadlineAt) throw new DeadlineExceeded();
    },
  };
}

/**
 * A traced request's repositories: those of its services, whose statements are spans of the
 * field that runs them, and one set per DataLoader batch, whose statements are the batch's.
 * Made only for a sampled request; the others read through `deps.db` with no span.
 */
function tracedRepositories(
  trace: RequestTrace,
  observedDb: (observe: StatementObserver) => Database,
  repositoriesOn: (db: Database) => Repositories,
): { repos: Repositories; batches: BatchTracing } {
  return {
    repos: repositoriesOn(observedDb(trace.statements(() => trace.current()))),
    batches: (name, size, work) =>
      trace.batch(name, size, (span) =>
        work(repositoriesOn(observedDb(trace.statements(() => span)))),
      ),
  };
}

/**
 * The request's context. A query that may read from a replica (`readsReplica`: not a mutation or
 * subscription, nor asked with `x-consistency: strong`) reads through one when one is fit, its
 * spans included; everything else reads and writes the primary.
 */
export function createContext(
  deps: ContextDeps,
  principal: Principal,
  origin: RequestOrigin,
  trace?: RequestTrace,
  readsReplica = false,
): Context {
  const deadlineAt = Date.now() + deps.requestTimeoutMs;
  const guard = transactionGuard(deps, deadlineAt);
  const repositoriesOn = (db: Database) => createRepositories(db, principal.companyId, guard);
  const source = (readsReplica && deps.replica?.()) || null;
  const db = source?.db ?? deps.db;
  const observedDb = deps.observedDb && (source?.observed ?? deps.observedDb);
  const { repos, batches } =
    trace && observedDb
      ? tracedRepositories(trace, observedDb, repositoriesOn)
      : { repos: repositoriesOn(db), batches: undefined };
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
  return {
    principal,
    origin,
    services,
    loaders: createLoaders({ repos, batches }),
    deadlineAt,
    trace,
    readsFrom: source ? 'replica' : 'primary',
  };
}
