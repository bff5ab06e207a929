// A document's cost in nodes, from the costs the schema's fields declare (GitHub's count).
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryCost } from '../../src/graphql/query-cost.js';
import { schema } from '../../src/schema/index.js';

const cost = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  queryCost(schema, parse(query), operationName, variables);

describe('query cost in nodes', () => {
  it('multiplies nested page sizes, literal or from variables, with the default of 20 when absent', () => {
    const query = `query($n: Int) { customers(companyId: "c", first: 50) { edges { node {
      id notes(first: $n) { edges { node { id } } } complianceHistory { edges { node { id } } } } } } }`;
    expect(cost(query, { n: 5 })).toBe(50 + 50 * 5 + 50 * 20);
  });

  it('counts lists of IDs by their length, through fragments and inline fragments', () => {
    const query = `query Q($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { ...F } } }
      fragment F on Customer { notes(first: 10) { edges { node { id } } } }
      query Other { customers(companyId: "c", first: 500) { totalCount } }`;
    expect(cost(query, { ids: ['a', 'b', 'c'] }, 'Q')).toBe(3 + 3 * 10);
    expect(cost(query, {}, 'Other')).toBe(500);
  });

  it('counts a single object as one parent, and lists without page sizes as nothing', () => {
    expect(cost('{ customer(id: "x") { id tags { id } notes(first: 3) { totalCount } } }')).toBe(3);
  });

  it('is null for variables the execution will refuse, and for an unknown operation', () => {
    expect(
      cost('query($n: Int!) { customers(companyId: "c", first: $n) { totalCount } }'),
    ).toBeNull();
    expect(cost('{ customer(id: "x") { id } }', {}, 'Nope')).toBeNull();
  });
});
