// Counting instructions rather than timing CPU: a bench's child run under valgrind's callgrind,
// which counts every instruction the process executes (all its threads) whatever else the machine
// is doing, so the machine's own noise (CPU time on these VMs moves 10–40% between identical
// runs, docs/performance.md) is gone. V8's is not: a block of requests in which a major
// collection lands counts up to 1.6 times the instructions of one without, and two identical
// processes differed by 2–23% in instructions per request (docs/performance.md, 2026-12-07).
// Nor is a count time: a cache miss or a mispredicted branch costs cycles and no instruction,
// which is why SIMULATE=1 also runs callgrind's cache and branch simulation (about twice as slow)
// and reports its estimate of cycles. Under valgrind a process runs about 50 times slower, so
// real-time timers fire 50 times more often per unit of work; a bench says which of its timers it
// stretches.
//
// No client request compiled into the process: the child marks its intervals by asking callgrind
// from outside (`callgrind_control --dump`, through valgrind's gdbserver), which writes the counts
// since the last dump to a file of its own and zeroes them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The events callgrind counts: Ir (instructions) always, the rest with SIMULATE=1. */
export type Events = Record<string, number>;

const SIMULATE = Boolean(process.env.SIMULATE);

/** The command that runs `node …args` under callgrind, writing its dumps into a fresh folder. */
export function underCallgrind(nodeArgs: readonly string[]): {
  command: string;
  args: string[];
  env: Record<string, string>;
  cleanup: () => void;
} {
  const folder = mkdtempSync(join(tmpdir(), 'callgrind-'));
  return {
    command: 'valgrind',
    args: [
      '--tool=callgrind',
      `--callgrind-out-file=${join(folder, 'out.%p')}`,
      // Only the totals are read: no per-instruction or per-line records, smaller dumps.
      '--dump-line=no',
      '--dump-instr=no',
      ...(SIMULATE ? ['--cache-sim=yes', '--branch-sim=yes'] : []),
      process.execPath,
      ...nodeArgs,
    ],
    env: { CALLGRIND_FOLDER: folder },
    cleanup: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** In the child: whether it runs under callgrind (its parent used `underCallgrind`). */
export const underCallgrindHere = (): boolean => process.env.CALLGRIND_FOLDER !== undefined;

let dumps = 0;
/** Ends an interval: callgrind writes its counts since the previous dump, and zeroes them. */
export function dumpCounts(): Events {
  const folder = process.env.CALLGRIND_FOLDER;
  if (!folder) throw new Error('not under callgrind: run through underCallgrind');
  execFileSync('callgrind_control', [`--dump=${++dumps}`, String(process.pid)], { stdio: 'pipe' });
  const file = join(folder, `out.${process.pid}.${dumps}`);
  const text = readFileSync(file, 'utf8');
  rmSync(file);
  const names = /^events: (.+)$/m.exec(text)?.[1]?.split(' ');
  const values = /^summary: (.+)$/m.exec(text)?.[1]?.split(' ').map(Number);
  if (!names || !values) throw new Error(`no events or summary in ${file}`);
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? 0]));
}

/**
 * Callgrind's estimate of cycles from the simulated events (its own weights: 10 cycles for a
 * first-level miss, 100 for a last-level one, 10 for a mispredicted branch), or the instruction
 * count alone without SIMULATE.
 */
export function estimatedCycles(e: Events): number {
  const l1 = (e.I1mr ?? 0) + (e.D1mr ?? 0) + (e.D1mw ?? 0);
  const ll = (e.ILmr ?? 0) + (e.DLmr ?? 0) + (e.DLmw ?? 0);
  const branches = (e.Bcm ?? 0) + (e.Bim ?? 0);
  return (e.Ir ?? 0) + 10 * l1 + 100 * ll + 10 * branches;
}
