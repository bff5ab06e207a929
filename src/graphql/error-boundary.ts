// The one boundary where errors become GraphQL errors. Every error a client can cause leaves
// with `extensions.code`; INVALID_ARGUMENT carries `extensions.fieldViolations`, also for input
// that GraphQL itself rejects (parse, validation, variable coercion). Anything unexpected is
// masked as INTERNAL with the request ID, and logged.

import {
  type ASTNode,
  type DocumentNode,
  GraphQLError,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { databaseFault, describeDriverError } from '../db/faults.js';
import {
  DomainError,
  type ErrorCode,
  type FieldViolation,
  RateLimited,
  StaleVersion,
} from '../errors.js';
import { HTTP_OF_CODE } from '../http/error-response.js';
import { requestIdOf } from '../http/request-id.js';
import type { Logger } from '../lib/logger.js';

/**
 * Codes that leave as they are: ours, and the one Automatic Persisted Queries clients wait for.
 * Any other code (graphql-js's or Yoga's own, e.g. GRAPHQL_PARSE_FAILED) is replaced by ours.
 */
const PASSED_THROUGH = new Set<string>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'DEADLINE_EXCEEDED',
  'UNAVAILABLE',
  'INTERNAL',
  'PERSISTED_QUERY_NOT_FOUND',
] satisfies (ErrorCode | 'PERSISTED_QUERY_NOT_FOUND')[]);

function fromDomainError(error: DomainError, source?: GraphQLError): GraphQLError {
  const extensions: Record<string, unknown> = { code: error.code };
  if (error.fieldViolations.length > 0) extensions.fieldViolations = error.fieldViolations;
  const http =
    error instanceof RateLimited && error.retryAfterS !== null
      ? { status: 429, headers: { 'Retry-After': String(error.retryAfterS) } }
      : HTTP_OF_CODE[error.code];
  if (http) extensions.http = http;
  if (error instanceof RateLimited && error.retryAfterS !== null) {
    extensions.retryAfterSeconds = error.retryAfterS;
  }
  if (error instanceof StaleVersion) extensions.currentVersion = error.currentVersion;
  return new GraphQLError(error.message, {
    nodes: source?.nodes,
    source: source?.source,
    positions: source?.positions,
    path: source?.path,
    extensions,
  });
}

/** The error behind GraphQL's wrappers. */
function originalOf(error: unknown): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/** The client's error: one a service threw, or what a database failure means (db/faults.ts). */
function domainErrorOf(error: unknown): DomainError | null {
  const original = originalOf(error);
  return original instanceof DomainError ? original : databaseFault(original);
}

/**
 * True for Yoga's own errors about the HTTP request (invalid JSON, a method or batching it does not
 * take, a mutation over GET): they carry an HTTP status and point at no place in a document (a
 * syntax error carries one too, with its source).
 */
function isTransportError(error: unknown): error is GraphQLError {
  return (
    error instanceof GraphQLError &&
    error.extensions?.http !== undefined &&
    !error.nodes &&
    !error.path &&
    !error.source
  );
}

/**
 * A transport error with our code. Only a body that is not JSON names a field (`body`); the rest
 * are about the request as a whole. The parser's own words (`extensions.originalError`) stay out.
 */
function fromTransportError(error: GraphQLError): GraphQLError {
  const { originalError: _parserWords, http, ...extensions } = error.extensions;
  const badJson = /invalid JSON/i.test(error.message);
  // A body that is not JSON is no well-formed GraphQL-over-HTTP request: 400 whatever the
  // response's media type (Yoga marks it as a spec error, which application/json answers with 200).
  const status = (http as { status?: number } | undefined)?.status ?? 400;
  return new GraphQLError(error.message, {
    extensions: {
      ...extensions,
      code: 'INVALID_ARGUMENT',
      http: badJson ? { status } : http,
      ...(badJson && { fieldViolations: [{ field: 'body', description: 'must be valid JSON' }] }),
    },
  });
}

/** True for errors that graphql-js raised about the request itself (not from a resolver). */
function isRequestError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  const original = error.originalError;
  // Scalars' parse errors arrive wrapped; they are still the client's input.
  return !original || original instanceof GraphQLError || error.path === undefined;
}

/** Values quoted in graphql-js's messages (a 5,000-character ID, say) cut to a sane length. */
const LONG_QUOTED = /"((?:[^"\\]|\\.){80})(?:[^"\\]|\\.)+"/g;
const cut = (text: string) => text.replace(LONG_QUOTED, '"$1…"');

function withCode(
  error: GraphQLError,
  code: string,
  fieldViolations?: FieldViolation[],
): GraphQLError {
  if (error.extensions?.code === code && (!fieldViolations || error.extensions.fieldViolations))
    return error;
  const message = cut(error.message);
  return rebuilt(error, message, {
    ...error.extensions,
    code,
    fieldViolations: (fieldViolations ?? [{ field: 'query', description: message }]).map((v) => ({
      field: v.field,
      description: cut(v.description),
    })),
  });
}

/** The same error, where it was, with another message and extensions. */
function rebuilt(
  error: GraphQLError,
  message: string,
  extensions: GraphQLError['extensions'],
): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

// graphql-jit's errors are GraphQLErrors by their prototype, but leave `extensions` undefined when
// the error they wrap has none: every read of it here is optional.

/** The failure behind each masked INTERNAL error, for the log. */
const unexpected = new WeakMap<GraphQLError, unknown>();

export function maskError(error: unknown): Error {
  const domain = domainErrorOf(error);
  if (domain) return fromDomainError(domain, error instanceof GraphQLError ? error : undefined);
  if (error instanceof GraphQLError && PASSED_THROUGH.has(String(error.extensions?.code))) {
    return error;
  }
  if (isTransportError(error)) return fromTransportError(error);
  if (isRequestError(error)) return withCode(error, 'INVALID_ARGUMENT', violationsOf(error));
  const masked = new GraphQLError('Internal error. Quote the requestId when reporting it.', {
    path: error instanceof GraphQLError ? error.path : undefined,
    nodes: error instanceof GraphQLError ? error.nodes : undefined,
    extensions: { code: 'INTERNAL' },
  });
  unexpected.set(masked, error);
  return masked;
}

/**
 * What to log of the failure behind a masked error: a database failure by its code and the
 * server's message (never the statement's values, which Drizzle's wrapper puts in its message),
 * anything else as the error itself, stack included.
 */
function causeOf(masked: GraphQLError): Record<string, unknown> {
  const cause = originalOf(unexpected.get(masked) ?? masked);
  const database = describeDriverError(cause);
  return database ? { database } : { error: cause };
}

/**
 * Gives every masked INTERNAL error the request's ID, and logs the failure behind it with that
 * ID, so that a client's report leads to the log line.
 */
export function useInternalErrorReports(logger: Logger): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      if (!result.errors.some((error) => error.extensions?.code === 'INTERNAL')) return;
      const requestId = requestIdOf(request);
      setResult({
        ...result,
        errors: result.errors.map((error) => {
          if (error.extensions?.code !== 'INTERNAL' || !(error instanceof GraphQLError))
            return error;
          logger.error({ requestId, path: error.path, ...causeOf(error) }, 'internal error');
          return new GraphQLError(error.message, {
            nodes: error.nodes,
            path: error.path,
            extensions: { ...error.extensions, requestId },
          });
        }),
      });
    },
  };
}

// --- fieldViolations for errors graphql-js raises about the request -----------------------------

const AT_PATH = /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"; /s;
const AT_VARIABLE = /^Variable "\$(\w+)" (?:got invalid value|of required type)/;
const MISSING_FIELD = /Field "(\w+)" of required type "[^"]+" was not provided\./;
const UNKNOWN_FIELD = /Field "(\w+)" is not defined by type "[^"]+"/;
const MISSING_ARGUMENT = /argument "(\w+)" of type "[^"]+" is required, but it was not provided\./;

/** The violation a graphql-js request error describes, with the path of the offending input. */
function violationsOf(
  error: GraphQLError,
  variableArgs?: ReadonlyMap<string, string>,
): FieldViolation[] | undefined {
  const message = error.message;
  const description = message.replace(
    /^Variable "\$\w+" got invalid value .*?(?: at "[^"]+")?; /s,
    '',
  );
  let field: string | null = null;
  const atPath = AT_PATH.exec(message);
  const atVariable = AT_VARIABLE.exec(message);
  if (atPath?.[1] && atPath[2]) {
    field = atPath[2];
  } else if (atVariable?.[1]) {
    field = atVariable[1];
  }
  if (field !== null) {
    // A variable's path is reported in the name of the argument it stands for.
    const variable = field.split(/[.[]/, 1)[0] ?? field;
    const argument = variableArgs?.get(variable);
    if (argument) field = argument + field.slice(variable.length);
    const nested = MISSING_FIELD.exec(description) ?? UNKNOWN_FIELD.exec(description);
    if (nested?.[1]) field = `${field}.${nested[1]}`;
    return [{ field, description }];
  }
  const missingArgument = MISSING_ARGUMENT.exec(message);
  if (missingArgument?.[1]) return [{ field: missingArgument[1], description: message }];
  return undefined;
}

/** The argument path (`input.tags[0].name`) of a value node in the document, if it is in one. */
export function argumentPath(document: DocumentNode, target: ASTNode): string | null {
  let found: string | null = null;
  visit(document, {
    enter(node, _key, parent, _path, ancestors) {
      if (node !== target || found !== null) return;
      // `ancestors` stops short of the parent.
      const chain = [...ancestors, parent, node];
      let path = '';
      chain.forEach((item, i) => {
        if (Array.isArray(item)) return;
        const astNode = item as ASTNode;
        const parentArray = chain[i - 1];
        const grandParent = chain[i - 2] as ASTNode | undefined;
        if (astNode.kind === Kind.ARGUMENT) path = astNode.name.value;
        else if (astNode.kind === Kind.OBJECT_FIELD && path) path += `.${astNode.name.value}`;
        else if (grandParent?.kind === Kind.LIST && Array.isArray(parentArray) && path) {
          path += `[${parentArray.indexOf(astNode)}]`;
        }
      });
      found = path || null;
    },
  });
  return found;
}

/** Which argument each variable of the document is passed to directly (`input: $in` -> in => input). */
export function variableArguments(
  document: DocumentNode,
  operationName?: string | null,
): Map<string, string> {
  const map = new Map<string, string>();
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (!operation) return map;
  visit(operation, {
    Argument(node) {
      if (node.value.kind === Kind.VARIABLE) map.set(node.value.name.value, node.name.value);
    },
  });
  return map;
}

type ExecuteHookResult = Exclude<Awaited<ReturnType<NonNullable<Plugin['onExecute']>>>, void>;

/** graphql-js's "Did you mean …?" hints, which name fields, types and values of the schema. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestions(error: GraphQLError): GraphQLError {
  const message = error.message.replace(SUGGESTION, '');
  if (message === error.message) return error;
  const violations = error.extensions?.fieldViolations as FieldViolation[] | undefined;
  return rebuilt(error, message, {
    ...error.extensions,
    ...(violations && {
      fieldViolations: violations.map((v) => ({
        ...v,
        description: v.description.replace(SUGGESTION, ''),
      })),
    }),
  });
}

/** Why the request names no operation of its document to run, or null when it does. */
function operationProblem(
  document: DocumentNode,
  operationName: string | null | undefined,
): FieldViolation | null {
  // The common case first, without allocating: the named operation, or the only one.
  let operations = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && d.name?.value === operationName) return null;
    operations += 1;
  }
  if (operations === 1 && !operationName) return null;
  if (operations === 0)
    return { field: 'query', description: 'The document defines no operation.' };
  const names = document.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? '(anonymous)'] : [],
  );
  const listed = cut(names.map((n) => JSON.stringify(n)).join(', '));
  return operationName
    ? {
        field: 'operationName',
        description: cut(
          `The document has no operation named ${JSON.stringify(operationName)}; it defines ${listed}.`,
        ),
      }
    : {
        field: 'operationName',
        description: `The document defines several operations (${listed}): name the one to run in operationName.`,
      };
}

export interface ErrorCodeOptions {
  /**
   * Whether errors about the request may suggest names from the schema ("Did you mean …?"); off
   * in production, where the schema is shown only through introspection.
   */
  fieldSuggestions?: boolean;
}

/**
 * Adds codes and field paths to the request errors graphql-js produces, where the document is
 * at hand: validation errors (which do not pass through maskError) and variable coercion errors.
 */
export function useErrorCodes({ fieldSuggestions = true }: ErrorCodeOptions = {}): Plugin {
  const told = fieldSuggestions ? (error: GraphQLError) => error : withoutSuggestions;
  // When the (compiled) execution refuses the variables, they are coerced again by graphql-js,
  // whose errors name the offending input ("at \"input.phone\""), to make fieldViolations of.
  // Only then: the success path coerces once. One handler for every request (it gets the
  // execution's arguments itself), so that the success path allocates nothing for it.
  const afterExecution: ExecuteHookResult = {
    onExecuteDone({ args, result, setResult }) {
      if (!('errors' in result) || !result.errors?.length || result.data !== undefined) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation?.variableDefinitions?.length) return;
      const { errors } = getVariableValues(
        args.schema,
        operation.variableDefinitions,
        (args.variableValues ?? {}) as Record<string, unknown>,
        { maxErrors: 50 },
      );
      if (!errors?.length) return;
      const variableArgs = variableArguments(args.document, args.operationName);
      setResult({
        errors: errors.map((error) =>
          told(withCode(error, 'INVALID_ARGUMENT', violationsOf(error, variableArgs))),
        ),
      });
    },
  };
  return {
    // Before Yoga's own check, which says only "Could not determine what operation to execute."
    onParse() {
      return ({ result, context }) => {
        if (!result || result instanceof Error) return;
        const name = (context as { params?: { operationName?: string | null } }).params
          ?.operationName;
        const problem = operationProblem(result, name);
        if (problem) {
          throw new GraphQLError(problem.description, {
            extensions: {
              code: 'INVALID_ARGUMENT',
              fieldViolations: [problem],
              http: { status: 400 },
            },
          });
        }
      };
    },
    onValidate({ params }) {
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map((error) => {
            const node = error.nodes?.[0];
            const path = node ? argumentPath(params.documentAST, node) : null;
            const violations =
              violationsOf(error) ??
              (path ? [{ field: path, description: error.message }] : undefined);
            return told(withCode(error, 'INVALID_ARGUMENT', violations));
          }),
        );
      };
    },
    onExecute: () => afterExecution,
  };
}
