// What finished work leaves in V8's old generation, for the tests that keep per-request and
// per-query objects dying young (test/memory.test.ts, test/unit/postgres-query.test.ts).
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

const oldSpaceBytes = () =>
  v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ??
  Number.NaN;

/**
 * Old-space bytes left per unit of work after `run` has run `n` times (given 0..n-1) and two
 * scavenges: objects that die young never get there.
 */
export async function promotedPer(
  n: number,
  run: (i: number) => Promise<unknown>,
): Promise<number> {
  gc();
  gc();
  const before = oldSpaceBytes();
  for (let i = 0; i < n; i += 1) await run(i);
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  return (oldSpaceBytes() - before) / n;
}

/** Heap bytes still reachable, after full collections, once `run` has finished. */
export async function retainedBy(run: () => Promise<unknown>): Promise<number> {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  await run();
  gc();
  gc();
  return process.memoryUsage().heapUsed - before;
}
