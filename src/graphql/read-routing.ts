// Which requests may read from a streaming replica (DATABASE_REPLICA_URL): queries, unless the
// client asks for the primary with `x-consistency: strong` (to read its own write at once). A
// mutation reads and writes the primary, its payload included; so does a subscription. The
// operation is known once the document is parsed, before the context is made (context.ts).
import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const CONSISTENCY_HEADER = 'x-consistency';

const queries = new WeakSet<Request>();

/** Whether the request runs a query. */
export const isQuery = (request: Request | undefined): boolean =>
  request !== undefined && queries.has(request);

/** Whether the request is a query that may read from a replica. */
export const readsReplica = (request: Request | undefined): boolean =>
  isQuery(request) && request?.headers.get(CONSISTENCY_HEADER)?.trim().toLowerCase() !== 'strong';

export function useReadRouting(): Plugin<{
  request?: Request;
  params?: { operationName?: string };
}> {
  return {
    onParse({ context }) {
      const request = context.request;
      if (!request) return;
      return ({ result }) => {
        if (!(result && typeof result === 'object' && 'kind' in result)) return;
        const operation = getOperationAST(result as DocumentNode, context.params?.operationName);
        if (operation?.operation === 'query') queries.add(request);
      };
    },
  };
}
