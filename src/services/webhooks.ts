// Webhook endpoints (scope webhooks:manage): a company's HTTPS URLs, each taking some event types,
// each with a signing secret (whsec_…) shown once; rotation keeps the old secret signing beside
// the new one for 24 hours. Deliveries are made with the events (repositories/event.ts) and sent
// by the delivery worker (services/webhook-delivery.ts); they can be listed and redelivered.
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.js';
import { NotFound, Violations } from '../errors.js';
import { addressIn, isPrivateAddress } from '../lib/addresses.js';
import { isIdOf, newId } from '../lib/ids.js';
import { type Page, type PageArgs, pageRequest, toPage } from '../lib/page.js';
import { EVENT_TYPES, type EventType } from './events.js';
import { requireOwnCompany, type ServiceContext } from './service-context.js';

const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 255;

export interface CreateWebhookEndpointInput {
  companyId: string;
  url: string | URL;
  eventTypes: readonly string[];
  description?: string | null | undefined;
}

export interface UpdateWebhookEndpointInput {
  id: string;
  url?: string | URL | null | undefined;
  eventTypes?: readonly string[] | null | undefined;
  enabled?: boolean | null | undefined;
  description?: string | null | undefined;
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * Whether a webhook may go to this host: not to private, loopback or link-local addresses
 * (unless allowed, for tests), by the addresses the name resolves to now. The delivery checks
 * again on each connection (DNS rebinding).
 */
export async function refusedHost(hostname: string, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  const literal = addressIn(hostname);
  let addresses: string[];
  try {
    addresses = literal ? [literal] : (await lookup(hostname, { all: true })).map((a) => a.address);
  } catch {
    return `${hostname} does not resolve`;
  }
  return addresses.some(isPrivateAddress)
    ? `${hostname} resolves to a private, loopback or link-local address`
    : null;
}

async function checkedUrl(
  value: string | URL,
  allowPrivate: boolean,
  field: string,
  v: Violations,
): Promise<string | null> {
  const text = String(value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    v.add(field, 'must be an absolute URL');
    return null;
  }
  if (text.length > MAX_URL_LENGTH) v.add(field, `must be at most ${MAX_URL_LENGTH} characters`);
  else if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    v.add(field, 'must be an https:// URL');
  } else if (url.username || url.password) v.add(field, 'must not carry credentials');
  else {
    const refused = await refusedHost(url.hostname, allowPrivate);
    if (refused) v.add(field, refused);
    else return url.toString();
  }
  return null;
}

function checkedTypes(types: readonly string[], field: string, v: Violations): EventType[] {
  if (types.length === 0) v.add(field, 'must name at least one event type');
  const known = new Set<string>(EVENT_TYPES);
  types.forEach((type, i) => {
    if (!known.has(type)) v.add(`${field}[${i}]`, 'is not an event type');
  });
  return [...new Set(types)] as EventType[];
}

function checkedDescription(
  description: string | null | undefined,
  field: string,
  v: Violations,
): string | null {
  const text = description?.trim() || null;
  if (text && text.length > MAX_DESCRIPTION_LENGTH) {
    v.add(field, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return text;
}

export function webhookService({ principal, repos, clock, webhooks }: ServiceContext) {
  const store = repos.webhooks;

  async function endpoint(id: string): Promise<WebhookEndpointRow> {
    const found = isIdOf('webhookEndpoint', id) ? await store.findEndpoint(id) : null;
    if (!found) throw new NotFound('WebhookEndpoint', id);
    return found;
  }

  return {
    list(companyId: string): Promise<WebhookEndpointRow[]> {
      requireOwnCompany(principal, companyId, 'companyId');
      return store.listEndpoints();
    },

    async create(
      input: CreateWebhookEndpointInput,
    ): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
      requireOwnCompany(principal, input.companyId, 'input.companyId');
      const v = new Violations();
      const url = await checkedUrl(input.url, webhooks.allowPrivate, 'input.url', v);
      const eventTypes = checkedTypes(input.eventTypes, 'input.eventTypes', v);
      const description = checkedDescription(input.description, 'input.description', v);
      v.throwIfAny();
      const secret = newSecret();
      const created = await store.insertEndpoint({
        id: newId('webhookEndpoint'),
        url: url!,
        eventTypes,
        description,
        secret,
        createdTime: clock().toISOString(),
      });
      return { endpoint: created, secret };
    },

    async update(input: UpdateWebhookEndpointInput): Promise<WebhookEndpointRow> {
      await endpoint(input.id);
      const v = new Violations();
      const patch: Parameters<typeof store.updateEndpoint>[1] = {};
      if (input.url != null) {
        const url = await checkedUrl(input.url, webhooks.allowPrivate, 'input.url', v);
        if (url) patch.url = url;
      }
      if (input.eventTypes != null) {
        patch.eventTypes = checkedTypes(input.eventTypes, 'input.eventTypes', v);
      }
      if (input.enabled != null) patch.enabled = input.enabled;
      if (input.description !== undefined) {
        patch.description = checkedDescription(input.description, 'input.description', v);
      }
      v.throwIfAny();
      if (Object.keys(patch).length === 0) return endpoint(input.id);
      const updated = await store.updateEndpoint(input.id, patch);
      if (!updated) throw new NotFound('WebhookEndpoint', input.id);
      return updated;
    },

    async remove(id: string): Promise<string> {
      if (!(isIdOf('webhookEndpoint', id) && (await store.deleteEndpoint(id)))) {
        throw new NotFound('WebhookEndpoint', id);
      }
      return id;
    },

    /** A new secret; the one it replaces keeps signing beside it for 24 hours. */
    async rotateSecret(id: string): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
      const current = await endpoint(id);
      const secret = newSecret();
      const updated = await store.updateEndpoint(id, {
        secret,
        previousSecret: current.secret,
        previousSecretExpires: new Date(clock().getTime() + ROTATION_OVERLAP_MS).toISOString(),
      });
      if (!updated) throw new NotFound('WebhookEndpoint', id);
      return { endpoint: updated, secret };
    },

    /** The endpoint's deliveries, newest first. */
    async deliveries(endpointId: string, args: PageArgs): Promise<Page<WebhookDeliveryRow>> {
      await endpoint(endpointId);
      const scope = `webhookDeliveries|${principal.companyId}|${endpointId}`;
      const request = pageRequest(scope, args);
      const rows = await store.deliveries(endpointId, request.first + 1, request.after);
      return toPage(
        scope,
        request,
        rows,
        (row) => row.createdTime,
        () => Promise.resolve(0),
      );
    },

    /** Sends an event to an endpoint again, as a new delivery, due now. */
    async redeliver(endpointId: string, eventId: string): Promise<WebhookDeliveryRow> {
      await endpoint(endpointId);
      const event = isIdOf('event', eventId) ? await store.findEvent(eventId) : null;
      if (!event) throw new NotFound('CustomerEvent', eventId);
      return store.insertDelivery(
        endpointId,
        event,
        newId('webhookDelivery'),
        clock().toISOString(),
      );
    },
  };
}

export type WebhookService = ReturnType<typeof webhookService>;
