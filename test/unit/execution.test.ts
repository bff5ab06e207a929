// The scopes a document could need are read off the schema's declarations: a principal holding
// them all runs the document without the per-field checks, so the count may err high, never low.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { scopesNeeded } from '../../src/graphql/execution.js';
import { schema } from '../../src/schema/index.js';

const needed = (document: string, operationName?: string) => {
  const scopes = scopesNeeded(schema, parse(document), operationName);
  return scopes === null ? null : [...scopes].sort();
};

describe('scopesNeeded', () => {
  it.each([
    ['{ __typename }', []],
    ['{ _sdl }', []],
    ['{ customer(id: "x") { id } }', ['customers:read']],
    ['mutation { createCustomer(input: $i) { customer { id } } }', ['customers:write']],
    [
      'mutation { appendCustomerNotes(input: $i) { notes { id } customer { id } } }',
      ['customers:write'],
    ],
    [
      'mutation { createCustomer(input: $i) { customer { id email } } }',
      ['customers:read', 'customers:write'],
    ],
    // Through fragments, inline fragments and fragments on an interface.
    [
      'mutation { createCustomer(input: $i) { customer { ...F } } } fragment F on Customer { phone }',
      ['customers:read', 'customers:write'],
    ],
    [
      'mutation { updateCustomerNote(input: $i) { note { ... on Node { id } } } }',
      ['customers:write'],
    ],
    [
      'mutation { updateCustomerNote(input: $i) { note { ... on CustomerNote { note } } } }',
      ['customers:read', 'customers:write'],
    ],
    // A field read on an interface counts for every type behind it.
    ['{ node(id: "x") { id } }', ['customers:read']],
  ])('%s needs %j', (document, scopes) => {
    expect(needed(document)).toEqual(scopes);
  });

  it('reads the operation asked for', () => {
    const document =
      'query A { customer(id: "x") { id } } mutation B { deleteCustomerNote(input: $i) { deletedNoteId } }';
    expect(needed(document, 'A')).toEqual(['customers:read']);
    expect(needed(document, 'B')).toEqual(['customers:write']);
    expect(needed(document, 'C')).toBeNull();
  });
});
