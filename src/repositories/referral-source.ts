import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type ReferralSourceRow, referralSources } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { columnsOf, param, preparedSelect } from './sql.js';

export function referralSourceRepository(db: Database, companyId: string) {
  return {
    findByIds(ids: readonly string[]): Promise<ReferralSourceRow[]> {
      return preparedSelect<ReferralSourceRow>(
        db,
        'referralSources.findByIds',
        () => sql`select ${columnsOf(referralSources)} from ${referralSources}
          where ${referralSources.companyId} = ${param('companyId')}
            and ${referralSources.id} = any(${param('ids')}::text[])`,
      )({ companyId, ids });
    },

    /** The company's referral sources, ordered by name. */
    list(): Promise<ReferralSourceRow[]> {
      return preparedSelect<ReferralSourceRow>(
        db,
        'referralSources.list',
        () => sql`select ${columnsOf(referralSources)} from ${referralSources}
          where ${referralSources.companyId} = ${param('companyId')}
          order by ${referralSources.nameKey}, ${referralSources.id}`,
      )({ companyId });
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
