import type { Database } from '../db/client.js';
import { lazyObjects } from '../lib/lazy.js';
import { type AddressRepository, addressRepository } from './address.js';
import { type CofLinkRepository, cofLinkRepository } from './cof-link.js';
import { type CompanyRepository, companyRepository } from './company.js';
import { type ComplianceRepository, complianceRepository } from './compliance.js';
import { type CustomerRepository, customerRepository } from './customer.js';
import { type NoteRepository, noteRepository } from './note.js';
import { type ReferralSourceRepository, referralSourceRepository } from './referral-source.js';
import { type TagRepository, tagRepository } from './tag.js';

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
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
}

const tenantRepositories = lazyObjects<{ db: Database; companyId: string }, Repositories>({
  companyId: ({ companyId }) => companyId,
  company: ({ db, companyId }) => companyRepository(db, companyId),
  customers: ({ db, companyId }) => customerRepository(db, companyId),
  addresses: ({ db, companyId }) => addressRepository(db, companyId),
  notes: ({ db, companyId }) => noteRepository(db, companyId),
  tags: ({ db, companyId }) => tagRepository(db, companyId),
  referralSources: ({ db, companyId }) => referralSourceRepository(db, companyId),
  compliance: ({ db, companyId }) => complianceRepository(db, companyId),
  cofLinks: ({ db, companyId }) => cofLinkRepository(db, companyId),
  transaction:
    ({ db, companyId }) =>
    (work) =>
      db.transaction((tx) => work(createRepositories(tx, companyId))),
});

export function createRepositories(db: Database, companyId: string): Repositories {
  return tenantRepositories({ db, companyId });
}
