// PostgreSQL's text cannot hold the NUL character (U+0000): a string carrying one, in a variable
// or in the document, is refused before execution as INVALID_ARGUMENT under the path of the
// argument it was given for (`input.notes[0].note`), instead of failing in the database.
import { type DocumentNode, GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { FieldViolation } from '../errors.js';
import { argumentPath, variableArguments } from './error-boundary.js';

const DESCRIPTION = 'must not contain the NUL character (U+0000)';

/** Paths of the strings in `value` that contain NUL, under `path`. */
function nulPaths(value: unknown, path: string, out: string[]): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      nulPaths(item, `${path}[${i}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) nulPaths(item, `${path}.${key}`, out);
  }
}

/** The document's string literals that contain NUL, by argument path; once per document. */
const literalsOf = new WeakMap<DocumentNode, FieldViolation[]>();

function literalViolations(document: DocumentNode): FieldViolation[] {
  let found = literalsOf.get(document);
  if (!found) {
    const list: FieldViolation[] = [];
    visit(document, {
      StringValue(node) {
        if (node.value.includes('\0')) {
          list.push({ field: argumentPath(document, node) ?? 'query', description: DESCRIPTION });
        }
      },
    });
    found = list;
    literalsOf.set(document, found);
  }
  return found;
}

export function useStorableText(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const violations = [...literalViolations(args.document)];
      const variables = args.variableValues as Record<string, unknown> | null | undefined;
      if (variables) {
        const paths: string[] = [];
        for (const [name, value] of Object.entries(variables)) nulPaths(value, name, paths);
        if (paths.length > 0) {
          const argumentOf = variableArguments(args.document, args.operationName);
          for (const path of paths) {
            const variable = path.split(/[.[]/, 1)[0] ?? path;
            const argument = argumentOf.get(variable);
            violations.push({
              field: argument ? argument + path.slice(variable.length) : path,
              description: DESCRIPTION,
            });
          }
        }
      }
      if (violations.length === 0) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            `${violations.length === 1 ? 'A value' : `${violations.length} values`} must not contain the NUL character (U+0000): ${violations.map((v) => v.field).join(', ')}`,
            { extensions: { code: 'INVALID_ARGUMENT', fieldViolations: violations } },
          ),
        ],
      });
    },
  };
}
