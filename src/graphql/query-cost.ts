// The cost of a query is the number of nodes it may ask for, as GitHub counts it: each
// paginated field multiplies what is under it by its `first` (its default when absent), and a
// list of IDs by their number. Checked before execution, with variables known; a query over the
// limit is refused with RESOURCE_EXHAUSTED and says how much it asked for.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const MAX_NODES = 100_000;
const DEFAULT_FIRST = 20;

function argumentValue(
  field: FieldNode,
  name: string,
  variables: Record<string, unknown>,
): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  if (!argument) return undefined;
  const literal = (value: ValueNode): unknown => {
    if (value.kind === Kind.VARIABLE) return variables[value.name.value];
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.LIST) return value.values.map(literal);
    if (value.kind === Kind.NULL) return null;
    return 'value' in value ? value.value : undefined;
  };
  return literal(argument.value);
}

/** How many items a field can return per parent: `first`, or the length of `ids`. */
function fanOut(field: FieldNode, variables: Record<string, unknown>): number | null {
  const first = argumentValue(field, 'first', variables);
  if (typeof first === 'number' && Number.isFinite(first)) return Math.max(0, first);
  const ids = argumentValue(field, 'ids', variables);
  if (Array.isArray(ids)) return ids.length;
  const isConnection = field.selectionSet?.selections.some(
    (s) => s.kind === Kind.FIELD && s.name.value === 'edges',
  );
  return isConnection ? DEFAULT_FIRST : null;
}

export function countNodes(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
    if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName)
    ) {
      operation ??= definition;
    }
  }
  if (!operation) return 0;

  const walk = (
    set: SelectionSetNode | undefined,
    multiplier: number,
    seen: Set<string>,
  ): number => {
    let nodes = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const fan = fanOut(selection, variables);
        if (fan === null) nodes += walk(selection.selectionSet, multiplier, seen);
        else nodes += multiplier * fan + walk(selection.selectionSet, multiplier * fan, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        nodes += walk(selection.selectionSet, multiplier, seen);
      } else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        nodes += walk(fragment?.selectionSet, multiplier, new Set([...seen, selection.name.value]));
      }
    }
    return nodes;
  };
  return walk(operation.selectionSet, 1, new Set());
}

/** Whether a document's page sizes come from its variables (else its count is fixed). */
function readsVariables(document: DocumentNode): boolean {
  let reads = false;
  visit(document, {
    Argument(node) {
      if (
        (node.name.value === 'first' || node.name.value === 'ids') &&
        node.value.kind === Kind.VARIABLE
      ) {
        reads = true;
      }
    },
  });
  return reads;
}

export function useQueryCostLimit(maxNodes = MAX_NODES): Plugin {
  // A document whose page sizes are literals costs the same every time: counted once.
  const fixed = new WeakMap<DocumentNode, Map<string, number> | null>();
  const count = (
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown>,
  ) => {
    let known = fixed.get(document);
    if (known === undefined) {
      known = readsVariables(document) ? null : new Map();
      fixed.set(document, known);
    }
    if (known === null) return countNodes(document, operationName, variables);
    let nodes = known.get(operationName ?? '');
    if (nodes === undefined) {
      nodes = countNodes(document, operationName, variables);
      known.set(operationName ?? '', nodes);
    }
    return nodes;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const nodes = count(
        args.document,
        args.operationName,
        (args.variableValues ?? {}) as Record<string, unknown>,
      );
      if (nodes > maxNodes) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `This query may ask for ${nodes} nodes; the limit is ${maxNodes}. Ask for fewer with smaller \`first\` values.`,
              { extensions: { code: 'RESOURCE_EXHAUSTED', nodes, limit: maxNodes } },
            ),
          ],
        });
      }
    },
  };
}
