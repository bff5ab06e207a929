// What a GraphQL request must look like on the wire, checked before its body is parsed: a POST
// carries a JSON or GraphQL body (415 with the types accepted otherwise: a form or multipart body,
// which a browser sends cross-site without a preflight, never runs a mutation), and a GET's
// `variables` and `extensions` are JSON objects. Yoga's own transport errors (bad JSON, PUT,
// batching) get their codes at the error boundary.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The request media types a GraphQL POST may have (GraphQL over HTTP, and a bare document). */
export const ACCEPTED_REQUEST_TYPES = [
  'application/json',
  'application/graphql+json',
  'application/graphql',
] as const;

const invalid = (message: string, status: number, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, {
    extensions: { code: 'INVALID_ARGUMENT', ...extensions, http: { status } },
  });

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export function useTransportRules(): Plugin {
  const accepted: readonly string[] = ACCEPTED_REQUEST_TYPES;
  return {
    onRequestParse({ request, url }) {
      if (request.method === 'POST') {
        const type = request.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
        if (type && accepted.includes(type)) return;
        throw invalid(
          `Send the request body as ${ACCEPTED_REQUEST_TYPES.join(' or ')} (got ${type ? JSON.stringify(type.slice(0, 100)) : 'no Content-Type'}).`,
          415,
          { accepted: ACCEPTED_REQUEST_TYPES },
        );
      }
      if (request.method === 'GET') {
        const violations = ['variables', 'extensions'].flatMap((field) => {
          const raw = url.searchParams.get(field);
          return raw === null || isJsonObject(raw)
            ? []
            : [{ field, description: 'must be a JSON object' }];
        });
        if (violations.length > 0) {
          throw invalid(
            `The ${violations.map((v) => v.field).join(' and ')} parameter must be a JSON object.`,
            400,
            { fieldViolations: violations },
          );
        }
      }
    },
  };
}
