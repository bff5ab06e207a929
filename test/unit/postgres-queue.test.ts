// postgres.js keeps its connection pool in queues (src/queue.js). In 3.4.9 `shift()` leaves
// holes and only resets when the queue drains, and `remove()` scans the whole array: under
// steady load (a pool that never drains) the array grows without bound and every remove scans
// it all. patches/postgres+3.4.9.patch fixes it; these tests watch the array itself, through an
// Array subclass (the queue copies its initial array with slice(), which keeps the subclass). The
// stock queue they are measured against is the installed file with the project's patch taken
// back out (git apply -R), so the harness is shown to catch the defect in the real code.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
const requireQueue = (path: string) => createRequire(import.meta.url)(path) as QueueFactory;

/** The stock CommonJS queue: the installed copy with the project's patch reversed, in a scratch folder. */
function stockQueue(): { Queue: QueueFactory; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'postgres-stock-'));
  const path = 'node_modules/postgres/cjs/src/queue.js';
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  copyFileSync(file('cjs/src/queue.js'), join(dir, path));
  const patch = fileURLToPath(new URL('../../patches/postgres+3.4.9.patch', import.meta.url));
  execFileSync('git', ['apply', '-R', `--include=${path}`, patch], { cwd: dir });
  return {
    Queue: requireQueue(join(dir, path)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe("postgres.js's pool queue", () => {
  it('catches the defect in the stock 3.4.9 queue (the patch reversed): it grows, remove scans it all', () => {
    const stock = stockQueue();
    try {
      const { largest, scannedPerRemove } = exercise(stock.Queue);
      expect(largest).toBeGreaterThan(CYCLES);
      expect(scannedPerRemove).toBeGreaterThan(CYCLES / 4);
    } finally {
      stock.remove();
    }
  });

  it.each([
    ['src/queue.js (ESM, what Node loads)', () => importQueue('src/queue.js')],
    ['cjs/src/queue.js', async () => requireQueue(file('cjs/src/queue.js'))],
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
