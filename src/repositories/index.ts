import type { Database } from '../db/client.js';
import { lazily } from '../lib/lazy.js';
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

export function createRepositories(db: Database, companyId: string): Repositories {
  return lazily<Repositories>({
    companyId: () => companyId,
    company: () => companyRepository(db, companyId),
    customers: () => customerRepository(db, companyId),
    addresses: () => addressRepository(db, companyId),
    notes: () => noteRepository(db, companyId),
    tags: () => tagRepository(db, companyId),
    referralSources: () => referralSourceRepository(db, companyId),
    compliance: () => complianceRepository(db, companyId),
    cofLinks: () => cofLinkRepository(db, companyId),
    transaction: () => (work) => db.transaction((tx) => work(createRepositories(tx, companyId))),
  });
}
