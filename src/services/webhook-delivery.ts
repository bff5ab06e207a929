// The delivery worker, one per server process (and so per replica): it claims due deliveries
// (FOR UPDATE SKIP LOCKED, leased so that a worker that dies mid-delivery leaves them to be
// claimed again; repositories/webhook.ts), POSTs each event as JSON signed per the Standard
// Webhooks spec (`standardwebhooks`: webhook-id = the event's ID on every attempt,
// webhook-timestamp, webhook-signature with the current secret and, for 24 hours after a
// rotation, the previous one), with a 10 s timeout and no redirect followed. A 2xx settles it;
// anything else is retried on the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
// 10 h, each ±10%), then FAILED. A customer's later deliveries to the endpoint wait for it.
//
// Every connection's address is checked when it is made (undici's lookup hook): a name that
// resolved to a public address when the endpoint was saved and to a private one now (DNS
// rebinding) is refused, unless WEBHOOK_ALLOW_PRIVATE.
import { lookup } from 'node:dns';
import { Webhook } from 'standardwebhooks';
import { Agent } from 'undici';
import type { Database } from '../db/client.js';
import type { CustomerEventRow } from '../db/schema.js';
import { addressIn, isPrivateAddress } from '../lib/addresses.js';
import type { Logger } from '../lib/logger.js';
import { type ClaimedDelivery, deliveryQueue } from '../repositories/webhook.js';
import { eventCursor } from './events.js';

/** Seconds after each failed attempt before the next (the Standard Webhooks schedule). */
export const STANDARD_SCHEDULE_S = [5, 300, 1800, 7200, 18000, 36000, 36000];

export interface WebhookWorkerOptions {
  logger: Logger;
  allowPrivate: boolean;
  /** Seconds between attempts; its length is the number of retries. */
  scheduleS?: readonly number[];
  timeoutMs?: number;
  /** How often the worker looks for due deliveries when it found none. */
  intervalMs?: number;
  /** How long a claimed delivery is held by its worker before another may claim it. */
  leaseMs?: number;
}

const BATCH = 10;

/** The body of a delivery: the Standard Webhooks envelope around the event as the API gives it. */
export function deliveryBody(event: CustomerEventRow): string {
  return JSON.stringify({
    type: event.type,
    timestamp: new Date(event.occurredTime).toISOString(),
    data: {
      id: event.id,
      type: event.type,
      companyId: event.companyId,
      customerId: event.customerId,
      changes: event.changes,
      actor: event.actor,
      requestId: event.requestId,
      occurredTime: new Date(event.occurredTime).toISOString(),
      cursor: eventCursor(event),
    },
  });
}

/** An HTTP agent that refuses to connect to private addresses (checked per connection). */
function guardedAgent(allowPrivate: boolean): Agent {
  return new Agent({
    connect: {
      lookup: (hostname, options, callback) => {
        lookup(hostname, { ...options, all: true }, (error, addresses) => {
          if (error) return callback(error, []);
          const list = Array.isArray(addresses) ? addresses : [];
          if (!allowPrivate && list.some((a) => isPrivateAddress(a.address))) {
            return callback(
              Object.assign(new Error(`${hostname} resolves to a private address`), {
                code: `EPRIVATE: ${hostname} resolves to a private address`,
              }),
              [],
            );
          }
          callback(null, list);
        });
      },
    },
  });
}

export function webhookWorker(db: Database, options: WebhookWorkerOptions) {
  const queue = deliveryQueue(db);
  const schedule = options.scheduleS ?? STANDARD_SCHEDULE_S;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? Math.max(60_000, timeoutMs * 3);
  const agent = guardedAgent(options.allowPrivate);

  /** One POST: its status, and why it failed (null: a 2xx). */
  async function post(
    delivery: ClaimedDelivery,
    body: string,
    signed: Record<string, string>,
  ): Promise<{ responseStatus: number | null; error: string | null }> {
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'customer-graph-webhooks',
          ...signed,
        },
        // undici's own option, which Node's fetch takes (its types do not say so).
        ...({ dispatcher: agent } as object),
      });
      await response.body?.cancel().catch(() => {});
      const ok = response.status >= 200 && response.status < 300;
      return {
        responseStatus: response.status,
        error: ok ? null : `the endpoint answered ${response.status}`,
      };
    } catch (failure) {
      const cause = (failure as { cause?: { code?: string; message?: string } }).cause;
      return {
        responseStatus: null,
        error:
          (failure as Error).name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : (cause?.code ?? cause?.message ?? (failure as Error).message ?? 'the request failed'),
      };
    }
  }

  async function send(delivery: ClaimedDelivery): Promise<void> {
    const body = deliveryBody(delivery.event);
    const at = new Date();
    const secrets = [delivery.secret];
    if (
      delivery.previousSecret &&
      delivery.previousSecretExpires &&
      Date.parse(delivery.previousSecretExpires) > at.getTime()
    ) {
      secrets.push(delivery.previousSecret);
    }
    const signature = secrets
      .map((secret) => new Webhook(secret).sign(delivery.event.id, at, body))
      .join(' ');
    // An address in the URL itself is never looked up (the agent's check): checked here.
    const literal = addressIn(new URL(delivery.url).hostname);
    const { responseStatus, error } =
      !options.allowPrivate && literal && isPrivateAddress(literal)
        ? { responseStatus: null, error: `EPRIVATE: ${literal} is a private address` }
        : await post(delivery, body, {
            'webhook-id': delivery.event.id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signature,
          });
    if (error === null) {
      await queue.settle(delivery, {
        status: 'SUCCEEDED',
        responseStatus,
        error: null,
        nextAttempt: null,
      });
      return;
    }
    const wait = schedule[delivery.attempts - 1];
    const jittered = wait === undefined ? null : wait * 1000 * (0.9 + Math.random() * 0.2);
    await queue.settle(delivery, {
      status: jittered === null ? 'FAILED' : 'PENDING',
      responseStatus,
      error: error.slice(0, 500),
      nextAttempt: jittered === null ? null : new Date(Date.now() + jittered),
    });
  }

  /**
   * Claims and sends due deliveries until none is due (a settled delivery may let a customer's
   * next one go); gives how many it sent.
   */
  async function drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const claimed = await queue.claim(BATCH, leaseMs);
      if (claimed.length === 0) return sent;
      await Promise.all(claimed.map((delivery) => send(delivery)));
      sent += claimed.length;
    }
  }

  return {
    drain,
    /**
     * Runs until the returned function is called, which waits up to 2 s for the batch in flight
     * and then drops its connections (a delivery cut short is claimed again when its lease ends).
     */
    start(): () => Promise<void> {
      let stopped = false;
      let running: Promise<unknown> = Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      const tick = () => {
        running = drain()
          .catch((error: unknown) => options.logger.warn({ error }, 'webhook delivery failed'))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 1_000);
          });
      };
      tick();
      return async () => {
        stopped = true;
        clearTimeout(timer);
        await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 2_000))]);
        await agent.destroy().catch(() => {});
      };
    },
  };
}
