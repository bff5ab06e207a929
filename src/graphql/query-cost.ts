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
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';
import type { RequestTrace } from '../lib/tracing.js';
import type { RateLimiter, ThrottleStatus } from '../services/rate-limit.js';
import { maskError } from './error-boundary.js';

const MAX_QUERY_COST = 100_000;

interface Counted {
  /** The document with only this operation (complexityFromQuery counts the first one). */
  operation: DocumentNode;
  /** Whether a costed field takes a variable: else the cost is the same every time. */
  variable: boolean;
  /** The fields that cost (page sizes, lists of IDs), to count what a result actually holds. */
  costed: ReadonlySet<FieldNode>;
  /** The operation's selections and the document's fragments, for the same count. */
  selectionSet: SelectionSetNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** `rateLimit(dryRun: …)` at the root: the literal, or the variable that holds it. */
  dryRun: boolean | { variable: string } | null;
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
  const costed = new Set<FieldNode>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const complexity = typeInfo.getFieldDef()?.extensions?.complexity;
        if (typeof complexity !== 'function') return;
        costed.add(node);
        if (!node.arguments) return;
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
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return {
    operation: {
      ...document,
      definitions: document.definitions.filter(
        (definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition === operation,
      ),
    },
    variable,
    costed,
    selectionSet: operation.selectionSet,
    fragments,
    dryRun: dryRunOf(operation),
  };
}

/** Whether a root `rateLimit` field asks for a dry run (GitHub's: report the cost, charge none). */
function dryRunOf(operation: OperationDefinitionNode): Counted['dryRun'] {
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== 'rateLimit') continue;
    const value = selection.arguments?.find((a) => a.name.value === 'dryRun')?.value;
    if (!value) return false;
    if (value.kind === Kind.BOOLEAN) return value.value;
    if (value.kind === Kind.VARIABLE) return { variable: value.name.value };
    return false;
  }
  return null;
}

/** What a costed field's value holds: a list's items, or a connection's edges. */
const itemsOf = (value: unknown) =>
  Array.isArray(value)
    ? value.length
    : Array.isArray((value as { edges?: unknown } | null)?.edges)
      ? (value as { edges: unknown[] }).edges.length
      : 0;

/**
 * The nodes a result holds, counted as the requested cost counts them (each costed field its
 * items, plus what each item holds), so that requested minus actual is what a short page left
 * unused.
 */
function actualCost(counted: Counted, selectionSet: SelectionSetNode, value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let sum = 0;
    for (const item of value) sum += actualCost(counted, selectionSet, item);
    return sum;
  }
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = (value as Record<string, unknown>)[
        selection.alias?.value ?? selection.name.value
      ];
      if (selection.selectionSet) total += actualCost(counted, selection.selectionSet, field);
      if (counted.costed.has(selection)) total += itemsOf(field);
    } else {
      const fragment =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection
          : counted.fragments.get(selection.name.value);
      if (fragment) total += actualCost(counted, fragment.selectionSet, value);
    }
  }
  return total;
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

/** What a request's document costs, and its bucket after the charge (`extensions.cost`). */
export interface RequestCost {
  requestedQueryCost: number;
  actualQueryCost?: number;
  throttleStatus?: ThrottleStatus;
  /** rateLimit(dryRun: true): counted, not charged. */
  dryRun: boolean;
}

export interface QueryCostOptions {
  maxCost?: number;
  /** Charges each document's cost to the credential's bucket; none: no rate limit. */
  rateLimiter?: RateLimiter | undefined;
}

type ExecuteHookResult = Exclude<Awaited<ReturnType<NonNullable<Plugin['onExecute']>>>, void>;

export function useQueryCostLimit({
  maxCost = MAX_QUERY_COST,
  rateLimiter,
}: QueryCostOptions = {}): Plugin<{ principal: Principal; cost?: RequestCost }> {
  const documents = new WeakMap<DocumentNode, Map<string, Counted | null>>();

  /** Gives back what the result did not use, and tells the client the cost and its bucket. */
  const settled = (
    counted: Counted,
    cost: RequestCost,
    principal: Principal,
  ): ExecuteHookResult => ({
    onExecuteDone({ result, setResult }) {
      if (isAsyncIterable(result)) return;
      const actual = Math.min(
        cost.requestedQueryCost,
        actualCost(counted, counted.selectionSet, result.data),
      );
      cost.actualQueryCost = actual;
      if (!cost.dryRun) rateLimiter?.refund(principal, cost.requestedQueryCost - actual);
      const { dryRun: _dryRun, ...shown } = cost;
      setResult({ ...result, extensions: { ...result.extensions, cost: shown } });
    },
  });

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
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      let cost = counted.cost;
      if (cost === undefined) {
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
        return;
      }
      const context = args.contextValue as {
        principal: Principal;
        cost?: RequestCost;
        trace?: RequestTrace | undefined;
      };
      const dryRun =
        counted.dryRun !== null &&
        (typeof counted.dryRun === 'boolean'
          ? counted.dryRun
          : variables[counted.dryRun.variable] === true);
      const requested: RequestCost = { requestedQueryCost: cost, dryRun };
      context.cost = requested;
      const after = settled(counted, requested, context.principal);
      if (!rateLimiter) return after;
      // A dry run charges nothing, but still reads the bucket (and settles its refunds). The
      // charge's statement may serve several requests of the credential at once: a traced
      // request's span is its wait for it, not a parent of it.
      const charge = () => rateLimiter.charge(context.principal, dryRun ? 0 : cost);
      const trace = context.trace;
      return (trace ? trace.run('rate limit charge', trace.current(), charge) : charge()).then(
        (status) => {
          requested.throttleStatus = status;
          return after;
        },
        (error: unknown) => {
          // Refused (RateLimited) or the database failing: the error boundary gives it its code.
          // A result set here skips Yoga's masking: it is masked now.
          setResultAndStopExecution({
            errors: [
              maskError(
                new GraphQLError('charging the rate limit failed', {
                  originalError: error instanceof Error ? error : undefined,
                }),
              ) as GraphQLError,
            ],
          });
          return undefined;
        },
      );
    },
  };
}
