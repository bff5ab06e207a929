// How documents run: compiled to JavaScript once (graphql-jit), on one of two builds of the same
// schema. The checked build enforces every `authScopes` of the schema (@pothos/plugin-scope-auth),
// which wraps each field of a type that declares scopes in a resolver of its own; graphql-jit then
// calls every such field with a resolve-info object instead of reading a property, which on a
// page of customers costs much more CPU (docs/performance.md has the figure). So a document runs
// on the build without checks (toSchema({ disableScopeAuth: true })) when the principal holds every scope
// the document could need: then every check would pass, and skipping them changes nothing. The
// scopes a document could need are read off the same declarations the checks run, over-counted
// where in doubt, never under-counted; anything the reading does not understand runs checked.
//
// @envelop/graphql-jit keeps one compiled query per document, whatever the schema, so it cannot
// serve two builds: this plugin keeps them apart.
import { makeExecute } from '@envelop/core';
import {
  type DocumentNode,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';

/** The options a type or field was declared with (Pothos keeps them in its extensions). */
const optionsOf = (declared: { extensions?: unknown }) =>
  (declared.extensions as { pothosOptions?: { authScopes?: unknown; skipTypeScopes?: unknown } })
    ?.pothosOptions;

/** Adds the scopes a type's or field's `authScopes` names; false when it is more than a map. */
function scopesOf(declared: { extensions?: unknown }, out: Set<string>): boolean {
  const authScopes = optionsOf(declared)?.authScopes;
  if (authScopes === undefined) return true;
  if (typeof authScopes !== 'object' || authScopes === null) return false;
  for (const [scope, value] of Object.entries(authScopes)) {
    if (value !== true || scope.startsWith('$')) return false;
    out.add(scope);
  }
  return true;
}

/**
 * Every scope a check could ask for while the operation runs: for each selected field, the field's
 * own scopes, those of the type it is read on (unless the field skips them) and those of that
 * type's interfaces; a field selected on an interface or union counts for every type that can stand
 * behind it. Null when the operation is not found or a declaration is not a plain map.
 */
export function scopesNeeded(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): ReadonlySet<string> | null {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const needed = new Set<string>();
  // The same selections on the same type need the same scopes: each pair is walked once.
  const walked = new Map<SelectionSetNode, Set<GraphQLNamedType>>();

  /** Adds what reading this field on this type needs; null when that is not understood. */
  const field = (type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | null => {
    if (!isObjectType(type) && !isInterfaceType(type)) return null;
    const definition = type.getFields()[name];
    if (!definition || !scopesOf(definition, needed)) return null;
    // skipTypeScopes skips the type's own scopes; its interfaces' are counted all the same.
    if (optionsOf(definition)?.skipTypeScopes !== true && !scopesOf(type, needed)) return null;
    for (const iface of type.getInterfaces()) if (!scopesOf(iface, needed)) return null;
    return definition;
  };

  const walk = (set: SelectionSetNode, type: GraphQLNamedType): boolean => {
    const types = walked.get(set) ?? new Set();
    if (types.has(type)) return true;
    walked.set(set, types.add(type));
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const candidates = isAbstractType(type) ? [type, ...schema.getPossibleTypes(type)] : [type];
        for (const on of candidates) {
          const definition = field(on, name);
          if (!definition) return false;
          const below = selection.selectionSet;
          if (below && !walk(below, getNamedType(definition.type))) return false;
        }
      } else {
        const fragment =
          selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) return false;
        const condition = fragment.typeCondition
          ? schema.getType(fragment.typeCondition.name.value)
          : type;
        if (!condition || !walk(fragment.selectionSet, condition)) return false;
      }
    }
    return true;
  };
  return walk(operation.selectionSet, root) ? needed : null;
}

type Compiled = CompiledQuery | { query: () => unknown; stringify: (result: unknown) => string };

export interface ExecutionOptions {
  /** The schema with its scope checks. */
  checked: GraphQLSchema;
  /** The same schema built without them. */
  unchecked: GraphQLSchema;
  /** Told when graphql-jit cannot compile a document (its errors are then the result). */
  onCompileError?: (error: unknown) => void;
}

export function useCompiledExecution({
  checked,
  unchecked,
  onCompileError,
}: ExecutionOptions): Plugin<{ principal: Principal }> {
  // Per document and operation: the scopes it needs, and its compiled query on each build.
  const byDocument = new WeakMap<
    DocumentNode,
    Map<string, { needed: ReadonlySet<string> | null; builds: Map<GraphQLSchema, Compiled> }>
  >();

  const entryOf = (args: ExecutionArgs) => {
    let operations = byDocument.get(args.document);
    if (!operations) {
      operations = new Map();
      byDocument.set(args.document, operations);
    }
    const name = args.operationName ?? '';
    let entry = operations.get(name);
    if (!entry) {
      entry = {
        needed: scopesNeeded(checked, args.document, args.operationName),
        builds: new Map(),
      };
      operations.set(name, entry);
    }
    return entry;
  };

  const compiled = (
    schema: GraphQLSchema,
    args: ExecutionArgs,
    builds: Map<GraphQLSchema, Compiled>,
  ) => {
    let query = builds.get(schema);
    if (!query) {
      const result = compileQuery(schema, args.document, args.operationName ?? undefined);
      if (isCompiledQuery(result)) {
        query = result;
      } else {
        onCompileError?.(result);
        query = { query: () => result, stringify: (value: unknown) => JSON.stringify(value) };
      }
      builds.set(schema, query);
    }
    return query;
  };

  const execute = makeExecute((args) => {
    const { needed, builds } = entryOf(args);
    const { principal } = args.contextValue as { principal: Principal };
    let schema = checked;
    if (needed !== null) {
      let holdsAll = true;
      for (const scope of needed) holdsAll &&= principal.scopes.has(scope);
      if (holdsAll) schema = unchecked;
    }
    const query = compiled(schema, args, builds);
    const result = query.query(args.rootValue, args.contextValue, args.variableValues);
    const withStringify = (value: unknown) => {
      // Yoga serialises with it: graphql-jit's compiled serialiser, not JSON.stringify.
      (value as { stringify?: unknown }).stringify = query.stringify;
      return value;
    };
    return result instanceof Promise ? result.then(withStringify) : withStringify(result);
  });

  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute);
    },
  };
}
