import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { countNodes } from '../../src/graphql/query-cost.js';

const count = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  countNodes(parse(query), operationName, variables);

describe('query cost in nodes', () => {
  it('multiplies nested page sizes, literal or from variables, with the default of 20 when absent', () => {
    const query = `query($n: Int) { customers(companyId: "c", first: 50) { edges { node {
      id notes(first: $n) { edges { node { id } } } complianceHistory { edges { node { id } } } } } } }`;
    expect(count(query, { n: 5 })).toBe(50 + 50 * 5 + 50 * 20);
  });

  it('counts lists of IDs by their length, through fragments and inline fragments', () => {
    const query = `query Q($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { ...F } } }
      fragment F on Customer { notes(first: 10) { edges { node { id } } } }`;
    expect(count(query, { ids: ['a', 'b', 'c'] }, 'Q')).toBe(3 + 3 * 10);
  });

  it('counts a single object as one parent', () => {
    expect(count('{ customer(id: "x") { id tags { id } notes(first: 3) { totalCount } } }')).toBe(
      3,
    );
  });
});
