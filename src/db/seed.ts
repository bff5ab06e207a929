// A deterministic data set, loaded in bulk through the project's own tables: multi-row inserts
// of up to 1,000 customers at a time with their primary address, notes and tags. Used by
// `npm run seed` (benchmarks) and by tests that need many rows quickly.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { bulkInsert } from './bulk.js';
import type { Database } from './client.js';
import {
  companies,
  customerAddresses,
  customerNotes,
  customers,
  customerTags,
  referralSources,
  tags,
} from './schema.js';

export interface SeedCompanyOptions {
  companyId: string;
  customers: number;
  notesPerCustomer?: number;
  tagsPerCustomer?: number;
  /** Size of the company's tag catalog. */
  catalogSize?: number;
  /** Rows per insert statement. */
  batchSize?: number;
  /** First lastUpdatedTime; each customer is one millisecond younger than the one before. */
  startTime?: string;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A stable 16-character ID body for (kind, company, n): the same data set on every run. */
export function seedId(prefix: string, companyId: string, n: number): string {
  const digest = createHash('sha256').update(`${prefix}|${companyId}|${n}`).digest();
  let body = '';
  for (let i = 0; i < 16; i += 1) body += ALPHABET[digest[i]! % 62];
  return prefix + body;
}

const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'James',
  'Mia',
  'Lucas',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Lopez',
  'Wilson',
];
const CITIES = [
  'New York',
  'Austin',
  'Denver',
  'Seattle',
  'Boston',
  'Chicago',
  'Miami',
  'Portland',
];
const TAG_NAMES = [
  'VIP',
  'Senior Dog',
  'Puppy',
  'Cat',
  'Anxious',
  'Large Breed',
  'Groom Monthly',
  'Boarding',
  'Daycare',
  'New Client',
  'Allergies',
  'Late Payer',
];
const REFERRAL_SOURCES = ['Google', 'Yelp', 'Referral', 'Walk-in', 'Instagram'];
const NOTE_TEXTS = [
  'Prefers morning appointments.',
  'Dog is nervous around clippers; go slow.',
  'Pays by card on file.',
  'Ask about the winter boarding package.',
  'Picks up after 5pm on weekdays.',
  'Allergic to oatmeal shampoo.',
  'Two dogs, always booked together.',
];

export async function seedCompany(db: Database, options: SeedCompanyOptions): Promise<void> {
  const {
    companyId,
    notesPerCustomer = 5,
    tagsPerCustomer = 3,
    catalogSize = 12,
    batchSize = 5000,
  } = options;
  const start = Date.parse(options.startTime ?? '2025-01-01T00:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();

  const catalog = Array.from({ length: catalogSize }, (_, i) => ({
    companyId,
    id: seedId('ctg_', companyId, i),
    name: i < TAG_NAMES.length ? TAG_NAMES[i]! : `Tag ${i}`,
    createdBy: 'seed',
    createdTime: iso(start),
    lastUpdatedBy: 'seed',
    lastUpdatedTime: iso(start),
  }));
  await bulkInsert(db, tags, catalog);
  const sources = REFERRAL_SOURCES.map((name, i) => ({
    companyId,
    id: seedId('crs_', companyId, i),
    name,
  }));
  await bulkInsert(db, referralSources, sources);

  for (let offset = 0; offset < options.customers; offset += batchSize) {
    const count = Math.min(batchSize, options.customers - offset);
    const rows = Array.from({ length: count }, (_, k) => {
      const n = offset + k;
      const time = iso(start + n);
      return {
        companyId,
        id: seedId('cus_', companyId, n),
        preferredBusinessId: `biz_${String(n % 3).padStart(3, '0')}`,
        firstName: FIRST_NAMES[n % FIRST_NAMES.length]!,
        lastName: LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]!,
        phone: `+1212${String(5_000_000 + (n % 5_000_000)).padStart(7, '0')}`,
        email: `customer${n}@example.com`,
        source: sources[n % sources.length]!.name,
        referralSourceId: sources[n % sources.length]!.id,
        serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS' as const],
        marketingCampaignsChannels: n % 2 === 0 ? ['COMPLIANCE_CHANNEL_EMAIL' as const] : [],
        isConsented: n % 2 === 0,
        isAgreedMarketingPolicy: n % 2 === 0,
        createdBy: 'seed',
        createdTime: time,
        lastUpdatedBy: 'seed',
        lastUpdatedTime: time,
      };
    });
    await bulkInsert(db, customers, rows);
    await bulkInsert(
      db,
      customerAddresses,
      rows.map((c, k) => ({
        companyId,
        id: seedId('cad_', companyId, offset + k),
        customerId: c.id,
        type: 'PRIMARY' as const,
        address1: `${100 + ((offset + k) % 900)} Main St`,
        city: CITIES[(offset + k) % CITIES.length]!,
        state: 'NY',
        postalCode: String(10_000 + ((offset + k) % 89_999)),
        country: 'US',
        createdTime: c.createdTime,
        lastUpdatedTime: c.lastUpdatedTime,
      })),
    );
    const notes = rows.flatMap((c, k) =>
      Array.from({ length: notesPerCustomer }, (_, j) => ({
        companyId,
        id: seedId('cxn_', companyId, (offset + k) * notesPerCustomer + j),
        customerId: c.id,
        note: NOTE_TEXTS[(offset + k + j) % NOTE_TEXTS.length]!,
        createdBy: 'seed',
        createdTime: iso(start + offset + k - (notesPerCustomer - j) * 1000),
        lastUpdatedBy: 'seed',
        lastUpdatedTime: iso(start + offset + k - (notesPerCustomer - j) * 1000),
      })),
    );
    await bulkInsert(db, customerNotes, notes);
    const links = rows.flatMap((c, k) =>
      Array.from({ length: Math.min(tagsPerCustomer, catalogSize) }, (_, j) => ({
        companyId,
        customerId: c.id,
        tagId: catalog[(offset + k + j * 5) % catalogSize]!.id,
        createdBy: 'seed',
        createdTime: c.createdTime,
      })),
    );
    await bulkInsert(db, customerTags, links);
  }

  // The quota counter matches the rows, however many runs it took to load them.
  await db.insert(companies).values({ companyId, customerCount: 0 }).onConflictDoNothing();
  await db.execute(
    sql`update ${companies} set customer_count = (select count(*) from ${customers} where company_id = ${companyId}) where company_id = ${companyId}`,
  );
}
