// The layers are kept by this test, not by memory: each rule and the absence of import cycles,
// checked on the source, and the checks themselves on small graphs that break them.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, type Import, importsOf, LAYER_RULES, violations } from './helpers/imports.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const source = importsOf(ROOT, 'src');

const edge = (from: string, to: string, typeOnly = false): Import => ({ from, to, typeOnly });

describe('the layers of src/', () => {
  it('reads the imports of every source file', () => {
    expect(source.some((i) => i.from === 'src/main.ts' && i.to === 'src/http/app.ts')).toBe(true);
    expect(
      source.some(
        (i) => i.from === 'src/schema/common.ts' && i.to === 'src/db/schema.ts' && i.typeOnly,
      ),
    ).toBe(true);
  });

  it('keep every rule', () => {
    expect(violations(source, LAYER_RULES)).toEqual([]);
  });

  it('have no import cycle', () => {
    expect(cycles(source)).toEqual([]);
  });
});

describe('the checks', () => {
  it.each([
    [edge('src/schema/customer.ts', 'src/repositories/customer.ts'), 1],
    [edge('src/schema/customer.ts', 'drizzle-orm'), 1],
    // Row types may flow up into the schema; code may not.
    [edge('src/schema/customer.ts', 'src/db/schema.ts', true), 0],
    [edge('src/services/customer.ts', 'graphql'), 1],
    [edge('src/repositories/tag.ts', 'graphql-yoga', true), 1],
    [edge('src/services/customer.ts', 'src/schema/customer.ts', true), 1],
    [edge('src/repositories/tag.ts', 'src/services/tag.ts'), 1],
    [edge('src/db/client.ts', 'src/repositories/sql.ts'), 1],
    [edge('src/services/customer.ts', 'src/repositories/customer.ts'), 0],
  ])('flag %j %i time(s)', (imported, times) => {
    expect(violations([imported], LAYER_RULES)).toHaveLength(times);
  });

  it('find a cycle, type-only edges included', () => {
    const graph = [
      edge('src/a.ts', 'src/b.ts'),
      edge('src/b.ts', 'src/c.ts', true),
      edge('src/c.ts', 'src/a.ts'),
      edge('src/c.ts', 'graphql'),
    ];
    expect(cycles(graph)).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts']]);
    expect(cycles(graph.slice(0, 2))).toEqual([]);
  });
});
