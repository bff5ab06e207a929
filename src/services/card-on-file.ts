// Card-on-file links (GenCustomerCofLink). A link is PUBLIC_BASE_URL/cof/<token>: 32 random
// bytes, kept only as a hash, valid 24 hours, usable once; a new link revokes the customer's
// earlier unused ones. Opening it shows its state and changes nothing; redeeming it is one
// conditional UPDATE, so that of any number of concurrent redemptions exactly one wins.
//
// The card itself belongs to a payment provider: redemption hands over to a CardOnFileProvider
// (the development one only records the setup) inside the redemption's transaction, so that a
// provider failure leaves the link usable.
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/client.js';
import type { CofLinkRow } from '../db/schema.js';
import { FailedPrecondition } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import { newId } from '../lib/ids.js';
import { toMicros } from '../lib/time.js';
import { cofLinkRepository, cofLinkRouteRepository } from '../repositories/cof-link.js';
import { eventRepository } from '../repositories/event.js';
import { changeCustomer } from './customer-write.js';
import { appendEvents } from './events.js';
import { idempotentCall } from './idempotency.js';
import type { ServiceContext } from './service-context.js';

const COF_LINK_TTL_MS = 24 * 60 * 60 * 1000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface CardSetupRequest {
  companyId: string;
  customerId: string;
  linkId: string;
}

export interface CardOnFileProvider {
  readonly name: string;
  /**
   * Starts a card setup for the customer with the provider: e.g. creates a hosted card-setup
   * session and returns where to send the customer. Throwing undoes the redemption.
   */
  startCardSetup(
    request: CardSetupRequest,
  ): Promise<{ reference: string | null; redirectUrl: string | null }>;
}

/** Records the setup and sends nobody anywhere: for development and tests. */
export const developmentCardProvider: CardOnFileProvider = {
  name: 'development',
  startCardSetup: async (request) => ({ reference: `dev_${request.linkId}`, redirectUrl: null }),
};

export function cofLinkService(serviceContext: ServiceContext) {
  const { clock, publicBaseUrl } = serviceContext;
  return {
    /**
     * GenCustomerCofLink: a new single-use link; the customer's earlier unused ones stop working.
     * Under an idempotency key a retry makes no second link, but cannot show the first again: its
     * token is kept only as a hash (a database dump must not be enough to redeem live links), and
     * no deployment is required to hold an encryption key. So a replay is FAILED_PRECONDITION,
     * saying what to do: the first link works if it reached the customer; else a new key makes a
     * new link (and revokes the first).
     */
    async generate(input: {
      customerId: string;
      idempotencyKey?: string | null | undefined;
    }): Promise<{ link: string; expiresTime: Date }> {
      const { customerId } = input;
      const call = idempotentCall('generateCustomerCofLink', input);
      const token = randomBytes(32).toString('base64url');
      const created = clock();
      const expires = new Date(created.getTime() + COF_LINK_TTL_MS);
      const refuseReplay = (kept: { linkId: string }): never => {
        throw new FailedPrecondition(
          `This idempotencyKey already made card-on-file link ${kept.linkId} for customer ${customerId}; its token is shown once and not kept, so it cannot be shown again. If it reached the customer it still works; else call again with a new idempotencyKey for a new link (which revokes that one).`,
        );
      };
      await changeCustomer(
        serviceContext,
        customerId,
        async ({ tx, customer, actor }) => {
          await tx.cofLinks.revokeActive(customer.id, created.toISOString());
          const id = newId('cofLink');
          await tx.cofLinks.insert({
            id,
            customerId: customer.id,
            tokenHash: sha256Hex(token),
            createdBy: actor,
            createdTime: created.toISOString(),
            expiresTime: expires.toISOString(),
          });
          // A link is no change of the customer: lastUpdatedTime stays; the stream says it was made
          // (never the token).
          return {
            value: id,
            changed: false,
            event: {
              type: 'CUSTOMER_COF_LINK_GENERATED',
              changes: [
                {
                  field: `cofLinks.${id}`,
                  oldValue: null,
                  newValue: { expiresTime: expires.toISOString() },
                },
              ],
            },
          };
        },
        {
          idempotency: {
            call,
            kept: {
              keep: ({ value: linkId }) => ({ linkId }),
              replay: async (kept) => refuseReplay(kept),
            },
          },
        },
      );
      return { link: `${publicBaseUrl}/cof/${token}`, expiresTime: expires };
    },
  };
}

export type CofLinkService = ReturnType<typeof cofLinkService>;

export type LinkState = 'valid' | 'expired' | 'used' | 'revoked' | 'unknown';

export function stateOf(
  link: Pick<CofLinkRow, 'usedTime' | 'revokedTime' | 'expiresTime'> | null,
  now: Date,
): LinkState {
  if (!link) return 'unknown';
  if (link.usedTime) return 'used';
  if (link.revokedTime) return 'revoked';
  if (toMicros(link.expiresTime) <= now.getTime() * 1000) return 'expired';
  return 'valid';
}

export interface RedemptionDeps {
  db: Database;
  clock: () => Date;
  provider: CardOnFileProvider;
}

/** What the holder of a link (no credential) can do with it. */
export function cofRedemptionService({ db, clock, provider }: RedemptionDeps) {
  const routes = cofLinkRouteRepository(db);

  async function companyOf(
    token: string,
  ): Promise<{ companyId: string; tokenHash: string } | null> {
    if (!TOKEN.test(token)) return null;
    const tokenHash = sha256Hex(token);
    const companyId = await routes.companyOf(tokenHash);
    return companyId === null ? null : { companyId, tokenHash };
  }

  return {
    /** The link's state; changes nothing (link previews must not burn it). */
    async inspect(token: string): Promise<{ state: LinkState; expiresTime: string | null }> {
      const route = await companyOf(token);
      const link = route
        ? await cofLinkRepository(db, route.companyId).findByTokenHash(route.tokenHash)
        : null;
      return { state: stateOf(link, clock()), expiresTime: link?.expiresTime ?? null };
    },

    /** Redeems the link once: `redeemed`, or the state that stopped it. */
    async redeem(
      token: string,
    ): Promise<
      { state: 'redeemed'; redirectUrl: string | null } | { state: Exclude<LinkState, 'valid'> }
    > {
      const route = await companyOf(token);
      if (!route) return { state: 'unknown' };
      const now = clock();
      return db.transaction(async (tx) => {
        const links = cofLinkRepository(tx, route.companyId);
        const link = await links.redeem(route.tokenHash, now.toISOString());
        if (!link) {
          const state = stateOf(await links.findByTokenHash(route.tokenHash), now);
          return { state: state === 'valid' ? 'used' : state };
        }
        const setup = await provider.startCardSetup({
          companyId: route.companyId,
          customerId: link.customerId,
          linkId: link.id,
        });
        await links.recordCardSetup(link, provider.name, setup.reference, now.toISOString());
        // The holder of the link has no credential: the event has no actor.
        await appendEvents(
          eventRepository(tx, route.companyId),
          [
            {
              customerId: link.customerId,
              type: 'CUSTOMER_COF_LINK_REDEEMED',
              changes: [
                {
                  field: `cofLinks.${link.id}`,
                  oldValue: null,
                  newValue: { usedTime: link.usedTime },
                },
              ],
            },
          ],
          { actor: null, requestId: null, now: null },
        );
        return { state: 'redeemed', redirectUrl: setup.redirectUrl };
      });
    },
  };
}

export type CofRedemptionService = ReturnType<typeof cofRedemptionService>;
