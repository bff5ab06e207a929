import { readFileSync } from 'node:fs';
import {
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema, sortedSchema, subgraphSdl } from '../src/schema/index.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('the schema', () => {
  it('is what schema.graphql says (run `npm run schema` when this fails)', () => {
    expect(read('../schema.graphql')).toBe(`${printSchema(sortedSchema)}\n`);
  });

  it('is what subgraph.graphql says, for a federation gateway (`npm run schema` when this fails)', () => {
    expect(read('../subgraph.graphql')).toBe(subgraphSdl);
  });

  it('serves every name, argument and input field of the design contract, as strictly or more', () => {
    const contract = buildSchema(read('./fixtures/contract.graphql'));
    expect(findBreakingChanges(contract, schema).map((change) => change.description)).toEqual([]);
    // Changed defaults or added enum values would surprise a client written against the contract.
    expect(findDangerousChanges(contract, schema).map((change) => change.description)).toEqual([]);
  });

  it('describes every type, field, argument, input field and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
        }
      } else if (isEnumType(type)) {
        for (const value of type.getValues()) {
          if (!value.description) missing.push(`${type.name}.${value.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
