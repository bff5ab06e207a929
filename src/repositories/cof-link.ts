import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type CofLinkRow, cardSetups, cofLinkRoutes, cofLinks } from '../db/schema.js';
import { newId } from '../lib/ids.js';

export interface NewCofLink {
  id: string;
  customerId: string;
  tokenHash: string;
  createdBy: string;
  createdTime: string;
  expiresTime: string;
}

// Card-on-file links of one company.
export function cofLinkRepository(db: Database, companyId: string) {
  const active = (now: string) =>
    and(isNull(cofLinks.usedTime), isNull(cofLinks.revokedTime), gt(cofLinks.expiresTime, now));

  return {
    async insert(link: NewCofLink): Promise<CofLinkRow> {
      await db.insert(cofLinkRoutes).values({ tokenHash: link.tokenHash, companyId });
      const [row] = await db
        .insert(cofLinks)
        .values({ ...link, companyId })
        .returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /** Revokes the customer's links that are still usable; returns how many. */
    async revokeActive(customerId: string, now: string): Promise<number> {
      const rows = await db
        .update(cofLinks)
        .set({ revokedTime: now })
        .where(
          and(eq(cofLinks.companyId, companyId), eq(cofLinks.customerId, customerId), active(now)),
        )
        .returning({ id: cofLinks.id });
      return rows.length;
    },

    async findByTokenHash(tokenHash: string): Promise<CofLinkRow | null> {
      const [row] = await db
        .select()
        .from(cofLinks)
        .where(and(eq(cofLinks.companyId, companyId), eq(cofLinks.tokenHash, tokenHash)));
      return row ?? null;
    },

    /**
     * Marks the link used if, and only if, it is usable now: one conditional statement, so that
     * of any number of concurrent redemptions exactly one gets the row.
     */
    async redeem(tokenHash: string, now: string): Promise<CofLinkRow | null> {
      const [row] = await db
        .update(cofLinks)
        .set({ usedTime: now })
        .where(
          and(eq(cofLinks.companyId, companyId), eq(cofLinks.tokenHash, tokenHash), active(now)),
        )
        .returning();
      return row ?? null;
    },

    /** What the development provider keeps of a redeemed link. */
    async recordCardSetup(
      link: CofLinkRow,
      provider: string,
      reference: string | null,
      now: string,
    ) {
      await db.insert(cardSetups).values({
        companyId,
        id: newId('cardSetup'),
        customerId: link.customerId,
        linkId: link.id,
        provider,
        reference,
        createdTime: now,
      });
    },

    listCardSetups(customerId: string) {
      return db
        .select()
        .from(cardSetups)
        .where(and(eq(cardSetups.companyId, companyId), eq(cardSetups.customerId, customerId)));
    },
  };
}

export type CofLinkRepository = ReturnType<typeof cofLinkRepository>;

/** The company of a token, by its hash: the one lookup a link's holder can make. */
export function cofLinkRouteRepository(db: Database) {
  return {
    async companyOf(tokenHash: string): Promise<string | null> {
      const [row] = await db
        .select()
        .from(cofLinkRoutes)
        .where(eq(cofLinkRoutes.tokenHash, tokenHash));
      return row?.companyId ?? null;
    },
  };
}
