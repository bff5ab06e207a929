import type { Principal } from '../auth/principal.js';
import { PermissionDenied } from '../errors.js';
import type { Repositories } from '../repositories/index.js';
import type { EventFeed } from './event-feed.js';

/** Where a request came from, as the audit trail records it. */
export interface RequestOrigin {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

/** What every service of a request is built from. */
export interface ServiceContext {
  principal: Principal;
  /** Tenant repositories bound to the principal's company. */
  repos: Repositories;
  customerQuota: number;
  origin: RequestOrigin;
  /** The time card-on-file links are made and checked by (injectable for tests). */
  clock: () => Date;
  /** Base of the links the API hands out. */
  publicBaseUrl: string;
  /** What subscriptions wait on between reads of the change stream. */
  eventFeed: EventFeed;
  /** Webhook endpoints may name private addresses (WEBHOOK_ALLOW_PRIVATE; tests). */
  webhooks: { allowPrivate: boolean };
}

/** An argument naming a company must name the principal's own. */
export function requireOwnCompany(principal: Principal, companyId: string, field: string): void {
  if (companyId !== principal.companyId) {
    throw new PermissionDenied(`${field} must be the company of your credential`);
  }
}
