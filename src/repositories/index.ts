import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { lazyObjects } from '../lib/lazy.js';
import { type AddressRepository, addressRepository } from './address.js';
import { type CofLinkRepository, cofLinkRepository } from './cof-link.js';
import { type CompanyRepository, companyRepository, type EventPositions } from './company.js';
import { type ComplianceRepository, complianceRepository } from './compliance.js';
import { type CustomerRepository, customerRepository } from './customer.js';
import { type CustomerExportRepository, customerExportRepository } from './customer-export.js';
import { type ErasureRepository, erasureRepository } from './erasure.js';
import { type EventRepository, eventRepository } from './event.js';
import { type IdempotencyRepository, idempotencyRepository } from './idempotency.js';
import { type NoteRepository, noteRepository } from './note.js';
import { type ReferralSourceRepository, referralSourceRepository } from './referral-source.js';
import { type TagRepository, tagRepository } from './tag.js';
import { type WebhookRepository, webhookRepository } from './webhook.js';

/**
 * What a request asks of its write transactions: when one may begin (`admit`, which bounds the
 * connections writes hold, and gives the time left when the wait ate into the request's
 * deadline), and a last check before it commits (a transaction past the deadline rolls back
 * rather than commit a write whose answer came too late).
 */
export interface TransactionGuard {
  admit<T>(companyId: string, begin: (timeLeftMs: number | null) => Promise<T>): Promise<T>;
  beforeCommit(): void;
}

/** Lock waits and statements of this transaction end within `ms` (the session's are longer). */
const limitTransaction = (tx: Database, ms: number) => {
  const value = `${Math.max(1, Math.floor(ms))}ms`;
  return tx.execute(
    sql`select set_config('lock_timeout', ${value}, true), set_config('statement_timeout', ${value}, true)`,
  );
};

/**
 * Every tenant repository, bound to one company when built: no statement can forget the
 * company ID. `transaction` runs `work` with the same repositories bound to one transaction.
 */
export interface Repositories {
  readonly companyId: string;
  readonly company: CompanyRepository;
  readonly customers: CustomerRepository;
  readonly addresses: AddressRepository;
  readonly notes: NoteRepository;
  readonly tags: TagRepository;
  readonly referralSources: ReferralSourceRepository;
  readonly compliance: ComplianceRepository;
  readonly cofLinks: CofLinkRepository;
  readonly events: EventRepository;
  readonly webhooks: WebhookRepository;
  readonly idempotency: IdempotencyRepository;
  readonly customerExport: CustomerExportRepository;
  readonly erasure: ErasureRepository;
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
}

interface Binding {
  db: Database;
  companyId: string;
  guard?: TransactionGuard | undefined;
  /** The event position the company lock took (one per set of repositories: per transaction). */
  positions: EventPositions;
}

const tenantRepositories = lazyObjects<Binding, Repositories>({
  companyId: ({ companyId }) => companyId,
  company: ({ db, companyId, positions }) => companyRepository(db, companyId, positions),
  customers: ({ db, companyId }) => customerRepository(db, companyId),
  addresses: ({ db, companyId }) => addressRepository(db, companyId),
  notes: ({ db, companyId }) => noteRepository(db, companyId),
  tags: ({ db, companyId }) => tagRepository(db, companyId),
  referralSources: ({ db, companyId }) => referralSourceRepository(db, companyId),
  compliance: ({ db, companyId }) => complianceRepository(db, companyId),
  cofLinks: ({ db, companyId }) => cofLinkRepository(db, companyId),
  events: ({ db, companyId, positions }) => eventRepository(db, companyId, positions),
  webhooks: ({ db, companyId }) => webhookRepository(db, companyId),
  idempotency: ({ db, companyId }) => idempotencyRepository(db, companyId),
  customerExport: ({ db, companyId }) => customerExportRepository(db, companyId),
  erasure: ({ db, companyId }) => erasureRepository(db, companyId),
  transaction:
    ({ db, companyId, guard }) =>
    (work) => {
      if (!guard) return db.transaction((tx) => work(createRepositories(tx, companyId)));
      return guard.admit(companyId, (timeLeftMs) =>
        db.transaction(async (tx) => {
          if (timeLeftMs !== null) await limitTransaction(tx, timeLeftMs);
          const result = await work(createRepositories(tx, companyId));
          guard.beforeCommit();
          return result;
        }),
      );
    },
});

export function createRepositories(
  db: Database,
  companyId: string,
  guard?: TransactionGuard,
): Repositories {
  return tenantRepositories({ db, companyId, guard, positions: { reserved: null } });
}
