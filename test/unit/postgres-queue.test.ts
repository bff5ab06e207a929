// postgres.js keeps its connection pool in queues (src/queue.js). In 3.4.9 `shift()` leaves
// holes and only resets when the queue drains, and `remove()` scans the whole array: under
// steady load (a pool that never drains) the array grows without bound and every remove scans
// it all. patches/postgres+3.4.9.patch fixes it; these tests watch the array itself, through an
// Array subclass (the queue copies its initial array with slice(), which keeps the subclass).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Queue<T> = {
  readonly length: number;
  push(x: T): T;
  shift(): T | undefined;
  remove(x: T): T | null;
};
type QueueFactory = <T>(initial?: T[]) => Queue<T>;

/** An array that remembers the largest it has been and how many slots indexOf has looked at. */
class WatchedArray<T> extends Array<T> {
  static largest = 0;
  static scanned = 0;
  override push(...items: T[]): number {
    const length = super.push(...items);
    WatchedArray.largest = Math.max(WatchedArray.largest, length);
    return length;
  }
  override indexOf(item: T, from = 0): number {
    const found = super.indexOf(item, from);
    WatchedArray.scanned += (found === -1 ? this.length : found + 1) - Math.max(0, from);
    return found;
  }
}

/** postgres.js 3.4.9's queue (its logic, without comma operators), to show the harness catches it. */
const stockQueue: QueueFactory = <T>(initial: T[] = []) => {
  let xs = initial.slice();
  let index = 0;
  return {
    get length() {
      return xs.length - index;
    },
    remove: (x: T) => {
      const i = xs.indexOf(x);
      if (i === -1) return null;
      xs.splice(i, 1);
      return x;
    },
    push: (x: T) => {
      xs.push(x);
      return x;
    },
    shift: () => {
      const out = xs[index++];
      if (index === xs.length) {
        index = 0;
        xs = [];
      } else {
        xs[index - 1] = undefined as T;
      }
      return out;
    },
  };
};

const CYCLES = 20_000;

/** push/push/shift/remove, as the pool moves connections between queues, never draining. */
function exercise(Queue: QueueFactory) {
  WatchedArray.largest = 0;
  WatchedArray.scanned = 0;
  const queue = Queue(new WatchedArray<object>());
  queue.push({});
  for (let i = 0; i < CYCLES; i += 1) {
    queue.push({});
    const b = queue.push({});
    queue.shift();
    queue.remove(b);
  }
  expect(queue.length).toBe(1);
  return { largest: WatchedArray.largest, scannedPerRemove: WatchedArray.scanned / CYCLES };
}

// The package's `exports` hide these files, so they are loaded by path: the copies postgres.js
// itself uses under Node's ESM (src), CommonJS (cjs) and Cloudflare (cf) builds.
const file = (path: string) =>
  fileURLToPath(new URL(`../../node_modules/postgres/${path}`, import.meta.url));
const importQueue = async (path: string) =>
  ((await import(file(path))) as { default: QueueFactory }).default;
const requireQueue = (path: string) => createRequire(import.meta.url)(file(path)) as QueueFactory;

describe("postgres.js's pool queue", () => {
  it('(the stock 3.4.9 queue grows without bound, and remove scans all of it)', () => {
    const { largest, scannedPerRemove } = exercise(stockQueue);
    expect(largest).toBeGreaterThan(CYCLES);
    expect(scannedPerRemove).toBeGreaterThan(CYCLES / 4);
  });

  it.each([
    ['src/queue.js (ESM, what Node loads)', () => importQueue('src/queue.js')],
    ['cjs/src/queue.js', async () => requireQueue('cjs/src/queue.js')],
    ['cf/src/queue.js', () => importQueue('cf/src/queue.js')],
  ])('stays small under steady load: %s', async (_name, get) => {
    const { largest, scannedPerRemove } = exercise(await get());
    expect(largest).toBeLessThan(2_100);
    expect(scannedPerRemove).toBeLessThan(8);
  });

  it('keeps first-in, first-out order and removes what it is asked to', async () => {
    const Queue = await importQueue('src/queue.js');
    const queue = Queue<number>();
    for (let i = 0; i < 5000; i += 1) queue.push(i);
    for (let i = 0; i < 4000; i += 1) expect(queue.shift()).toBe(i);
    expect(queue.remove(4500)).toBe(4500);
    expect(queue.remove(123)).toBeNull();
    expect(queue.length).toBe(999);
    const rest: number[] = [];
    while (queue.length) rest.push(queue.shift()!);
    expect(rest).toEqual(
      Array.from({ length: 1000 }, (_, i) => 4000 + i).filter((x) => x !== 4500),
    );
  });
});
