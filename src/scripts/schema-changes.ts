// Schema governance: the changes between the base branch's schema and this one, judged by
// @graphql-inspector/core. A breaking change passes only when schema-changes.md lists its path
// with a reason; dangerous ones are reported.
import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema, type GraphQLSchema } from 'graphql';

export interface SchemaReview {
  /** Breaking changes schema-changes.md does not account for: these fail the check. */
  unlisted: Change[];
  /** Breaking changes listed with a reason. */
  listed: Change[];
  /** Changes that may surprise a client (e.g. a new enum value, a changed default). */
  dangerous: Change[];
  /** Everything else. */
  safe: Change[];
}

/** What a change is known by in schema-changes.md: its path, e.g. `Customer.email`. */
export const changeKey = (change: Change): string => change.path ?? change.message;

/**
 * Paths listed in schema-changes.md with a reason: lines of the form
 * "- `Customer.email`: the reason" (a dash or a colon between path and reason).
 */
export function listedChanges(markdown: string): Map<string, string> {
  const listed = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const match = /^\s*[-*]\s+`([^`]+)`\s*[:—–-]\s*(\S.*)$/.exec(line);
    if (match?.[1] && match[2]) listed.set(match[1], match[2].trim());
  }
  return listed;
}

export async function reviewSchemaChanges(
  base: GraphQLSchema | string,
  current: GraphQLSchema,
  changesMarkdown: string,
): Promise<SchemaReview> {
  const baseSchema = typeof base === 'string' ? buildSchema(base) : base;
  const changes = await diff(baseSchema, current);
  const listed = listedChanges(changesMarkdown);
  const review: SchemaReview = { unlisted: [], listed: [], dangerous: [], safe: [] };
  for (const change of changes) {
    switch (change.criticality.level) {
      case CriticalityLevel.Breaking:
        (listed.has(changeKey(change)) ? review.listed : review.unlisted).push(change);
        break;
      case CriticalityLevel.Dangerous:
        review.dangerous.push(change);
        break;
      default:
        review.safe.push(change);
    }
  }
  return review;
}
