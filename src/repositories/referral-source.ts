import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type ReferralSourceRow, referralSources } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { anyOf, param, prepared } from './sql.js';

export function referralSourceRepository(db: Database, companyId: string) {
  return {
    findByIds(ids: readonly string[]): Promise<ReferralSourceRow[]> {
      return prepared(db, 'referralSources.findByIds', () =>
        db
          .select()
          .from(referralSources)
          .where(
            and(
              eq(referralSources.companyId, param('companyId')),
              anyOf(referralSources.id, param('ids')),
            ),
          )
          .prepare('referral_sources_find_by_ids'),
      ).execute({ companyId, ids });
    },

    /** The catalog entry of this name (case-insensitively), created when missing. */
    async findOrCreateByName(name: string): Promise<ReferralSourceRow> {
      await db
        .insert(referralSources)
        .values({ companyId, id: newId('referralSource'), name })
        .onConflictDoNothing({ target: [referralSources.companyId, referralSources.nameKey] });
      const [row] = await db
        .select()
        .from(referralSources)
        .where(
          and(
            eq(referralSources.companyId, companyId),
            sql`${referralSources.nameKey} = lower(${name})`,
          ),
        );
      if (!row) throw new Error('referral source vanished');
      return row;
    },
  };
}

export type ReferralSourceRepository = ReturnType<typeof referralSourceRepository>;
