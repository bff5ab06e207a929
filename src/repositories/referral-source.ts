import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type ReferralSourceRow, referralSources } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { columnsOf, param, preparedSelect } from './sql.js';

export function referralSourceRepository(db: Database, companyId: string) {
  /**
   * The catalog entry of each name (case-insensitively), the missing ones created: two statements
   * for any number of names. Keyed by the name as given.
   */
  async function findOrCreateByNames(
    names: readonly string[],
  ): Promise<Map<string, ReferralSourceRow>> {
    if (names.length === 0) return new Map();
    await db
      .insert(referralSources)
      .values(names.map((name) => ({ companyId, id: newId('referralSource'), name })))
      .onConflictDoNothing({ target: [referralSources.companyId, referralSources.nameKey] });
    const rows = await db
      .select({ ...getTableColumns(referralSources), requested: sql<string>`requested` })
      .from(sql`unnest(${sql.param(names)}::text[]) as requested`)
      .innerJoin(
        referralSources,
        and(
          eq(referralSources.companyId, companyId),
          sql`${referralSources.nameKey} = lower(requested)`,
        ),
      );
    return new Map(rows.map(({ requested, ...row }) => [requested, row]));
  }

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
      const row = (await findOrCreateByNames([name])).get(name);
      if (!row) throw new Error('referral source vanished');
      return row;
    },

    findOrCreateByNames,
  };
}

export type ReferralSourceRepository = ReturnType<typeof referralSourceRepository>;
