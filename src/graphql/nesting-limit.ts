// graphql-js parses recursively: a document nested ~2,000 levels deep ({a{a{a… or [[[…) overflows
// the stack inside the parser, before any depth rule can look at it. Here the nesting is counted
// on the document's text, in one pass (strings, block strings and comments skipped), before it
// is parsed, and a document nested deeper than the limit is refused as INVALID_ARGUMENT.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Deeper than any real document (field depth is limited to 12 after parsing). */
export const MAX_NESTING = 64;

const OPEN = new Set([0x7b, 0x28, 0x5b]); // { ( [
const CLOSE = new Set([0x7d, 0x29, 0x5d]); // } ) ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/** The deepest nesting of brackets and braces in a GraphQL document's text. */
export function nestingOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === HASH) {
      while (i < text.length && text.charCodeAt(i) !== NEWLINE && text.charCodeAt(i) !== RETURN)
        i += 1;
    } else if (c === QUOTE) {
      if (text.startsWith('"""', i)) {
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) {
          i += text.startsWith('\\"""', i) ? 4 : 1;
        }
        i += 3;
        continue;
      }
      i += 1;
      while (i < text.length) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE || s === NEWLINE || s === RETURN) break;
        else i += 1;
      }
    } else if (OPEN.has(c)) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (CLOSE.has(c)) {
      depth -= 1;
    }
    i += 1;
  }
  return deepest;
}

/**
 * `parsed` tells whether a text is in the parse cache already: it was counted when it was parsed
 * first, and is not scanned again on every request.
 */
export function useNestingLimit(
  parsed: (text: string) => boolean = () => false,
  max = MAX_NESTING,
): Plugin {
  return {
    onParse({ params }) {
      const text = typeof params.source === 'string' ? params.source : params.source.body;
      if (parsed(text) || nestingOf(text) <= max) return;
      throw new GraphQLError(`The document is nested more than ${max} levels deep.`, {
        extensions: {
          code: 'INVALID_ARGUMENT',
          fieldViolations: [{ field: 'query', description: `must nest at most ${max} levels` }],
          http: { status: 400 },
        },
      });
    },
  };
}
