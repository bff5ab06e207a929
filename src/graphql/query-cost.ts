// The cost of a document is the number of nodes it may ask for, as GitHub counts them: each
// paginated field multiplies what is under it by its page size, and a list of IDs by its length.
// What each field costs is declared on the field itself (the `complexity` option of
// @pothos/plugin-complexity: `pageCost` and `idsCost` in schema/common.ts), and counted with that plugin's own
// walk (`complexityFromQuery`). The plugin's enforcement is off: it checks inside the first root
// field's resolver, once per root field, where a document must be refused before it runs (and,
// for the rate limits to come, charged before and settled after). So this Yoga plugin counts
// before execution, once per document where its cost cannot change, and refuses a document over
// the limit with RESOURCE_EXHAUSTED.
import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

const MAX_QUERY_COST = 100_000;

interface Counted {
  /** The document with only this operation (complexityFromQuery counts the first one). */
  operation: DocumentNode;
  /** Whether a costed field takes a variable: else the cost is the same every time. */
  variable: boolean;
  cost?: number;
}

function countedOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  name: string | null | undefined,
): Counted | null {
  const operation = getOperationAST(document, name);
  if (!operation) return null;
  const typeInfo = new TypeInfo(schema);
  let variable = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const complexity = typeInfo.getFieldDef()?.extensions?.complexity;
        if (typeof complexity !== 'function' || !node.arguments) return;
        for (const argument of node.arguments) {
          visit(argument, {
            Variable() {
              variable = true;
            },
          });
        }
      },
    }),
  );
  return {
    operation: {
      ...document,
      definitions: document.definitions.filter(
        (definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition === operation,
      ),
    },
    variable,
  };
}

function count(schema: GraphQLSchema, counted: Counted, variables: Record<string, unknown>) {
  try {
    return complexityFromQuery(counted.operation, { schema, variables }).complexity;
  } catch {
    // Variables the execution will refuse, with errors of their own.
    return null;
  }
}

/** The document's cost in nodes with these variables; null when they are not valid. */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number | null {
  const counted = countedOf(schema, document, operationName);
  return counted && count(schema, counted, variables);
}

export function useQueryCostLimit(maxCost = MAX_QUERY_COST): Plugin {
  const documents = new WeakMap<DocumentNode, Map<string, Counted | null>>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let operations = documents.get(args.document);
      if (!operations) {
        operations = new Map();
        documents.set(args.document, operations);
      }
      const name = args.operationName ?? '';
      let counted = operations.get(name);
      if (counted === undefined) {
        counted = countedOf(args.schema, args.document, args.operationName);
        operations.set(name, counted);
      }
      if (!counted) return;
      let cost = counted.cost;
      if (cost === undefined) {
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        const counting = count(args.schema, counted, variables);
        if (counting === null) return;
        cost = counting;
        if (!counted.variable) counted.cost = cost;
      }
      if (cost > maxCost) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `This query may ask for ${cost} nodes; the limit is ${maxCost}. Ask for fewer with smaller \`first\` values.`,
              { extensions: { code: 'RESOURCE_EXHAUSTED', nodes: cost, limit: maxCost } },
            ),
          ],
        });
      }
    },
  };
}
