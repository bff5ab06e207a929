// The DataLoader contract in one place: a batch function returns one result per key, in key
// order, null (or an empty list) for a key with no row.

/** One row (or null) per key, in key order. */
export function orderByKeys<K, V>(
  keys: readonly K[],
  rows: readonly V[],
  keyOf: (row: V) => K,
): (V | null)[] {
  const byKey = new Map<K, V>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/** The rows of each key, in key order; rows keep their order within a group. */
export function groupByKeys<K, V>(
  keys: readonly K[],
  rows: readonly V[],
  keyOf: (row: V) => K,
): V[][] {
  const groups = new Map<K, V[]>();
  for (const key of keys) groups.set(key, []);
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
