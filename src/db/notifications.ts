// The wake-up of subscriptions: each process listens on one channel (one connection of its own
// on PostgreSQL, outside the pool; PGlite's listen), where each write that appends change events
// notifies its company at commit (repositories/event.ts). A notification only says "look": the
// outbox is the truth, so a lost notification, a listener that reconnects or another replica's
// write costs at most a late read (`onReconnect` wakes every subscriber to catch up).
import type { Store } from './client.js';

export const EVENTS_CHANNEL = 'customer_events';

export interface EventNotifications {
  close(): Promise<void>;
}

export async function listenForEvents(
  store: Store,
  onCompany: (companyId: string) => void,
  onReconnect: () => void,
): Promise<EventNotifications> {
  if (store.driver.kind === 'postgres') {
    // postgres.js reconnects a broken listener by itself and calls onlisten again each time. On
    // the primary itself: through PgBouncer in transaction mode a LISTEN hears nothing.
    const listening = await store.driver.direct.listen(EVENTS_CHANNEL, onCompany, onReconnect);
    return { close: () => listening.unlisten() };
  }
  const unlisten = await store.driver.client.listen(EVENTS_CHANNEL, onCompany);
  return { close: () => unlisten() };
}
