// The order servers are measured in within a round. Rotated one step a round (as the bench did),
// each server had nearly the same place and the same predecessor on the shared CPU in every run
// of a short batch (3 runs of 13 servers), so a place's effect, if any, stayed with the server.
// The start order mattered as well: with --observability-off, the variants started last ran
// fastest until they were started in a random order (docs/performance.md, 2026-12-03). Now both
// orders are drawn from a seed the batch prints, so that a batch can be run again (--seed N).

/** mulberry32: a small seeded generator (no dependency needed for a bench's shuffle). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A copy of `items` in a uniformly random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
