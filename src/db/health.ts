// Whether the database is worth asking. While it is unreachable, every request would wait on the
// pool's connection attempts before failing; instead, once a request meets a connection failure
// and a ping confirms it, the database counts as down: requests are answered UNAVAILABLE at once
// (http/database-gate.ts) while a ping every PROBE_MS watches for its return, and the first ping
// that succeeds lets requests through again. A single broken connection (a backend terminated,
// the pool reconnects) does not count: the confirming ping succeeds.

export interface Health {
  /** False while the database is known to be down. */
  available(): boolean;
  /** A request met a connection failure: confirm with a ping, and watch while it is down. */
  suspect(): void;
  /** Pings the database within `timeoutMs`; rejects when it does not answer in time. */
  check(): Promise<void>;
  stop(): void;
}

export interface HealthOptions {
  /** Between pings while the database is down. */
  probeMs?: number;
  /** A ping that takes longer than this fails. */
  timeoutMs?: number;
  onChange?: (available: boolean) => void;
}

export class PingTimeout extends Error {
  override name = 'PingTimeout';
}

export function watchHealth(ping: () => Promise<void>, options: HealthOptions = {}): Health {
  const probeMs = options.probeMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 1000;
  let down = false;
  let probing = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const check = () =>
    new Promise<void>((resolve, reject) => {
      const late = setTimeout(
        () => reject(new PingTimeout(`the database did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      ping()
        .then(resolve, reject)
        .finally(() => clearTimeout(late));
    });

  const set = (available: boolean) => {
    if (down === !available) return;
    down = !available;
    options.onChange?.(available);
  };

  /** Pings until the database answers (once, when it does at once). */
  const probe = async () => {
    if (probing || stopped) return;
    probing = true;
    try {
      await check();
      set(true);
    } catch {
      set(false);
    }
    probing = false;
    if (down && !stopped) timer = setTimeout(probe, probeMs).unref();
  };

  return {
    available: () => !down,
    // While down, the probe is already running or scheduled.
    suspect: () => {
      if (!down) void probe();
    },
    check: async () => {
      try {
        await check();
        set(true);
      } catch (error) {
        if (!down) void probe();
        throw error;
      }
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
