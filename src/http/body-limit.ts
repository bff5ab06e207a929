// Request bodies are limited in size. Yoga's own limit pipes every body through a web
// TransformStream, which costs a small request dearly (docs/performance.md); here a body with a
// valid Content-Length is
// checked by its header alone (Node's HTTP parser never reads past it) and only a chunked body,
// whose length is unknown, is counted as it streams.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const MAX_BODY_BYTES = 1_000_000;

function tooLarge(limit: number) {
  return new GraphQLError(`The request body is larger than ${limit} bytes.`, {
    extensions: { code: 'INVALID_ARGUMENT', http: { status: 413 } },
  });
}

export function useBodySizeLimit(limit = MAX_BODY_BYTES): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) {
          throw new GraphQLError('The Content-Length header is invalid.', {
            extensions: { code: 'INVALID_ARGUMENT', http: { status: 400 } },
          });
        }
        if (Number(length) > limit) throw tooLarge(limit);
        return;
      }
      const body = request.body;
      if (!requestParser || !body) return;
      let bytes = 0;
      // A native stream wants the native TransformStream, whatwg-node's ponyfill its own.
      const Transform =
        body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
      const counted = body.pipeThrough(
        new Transform<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            bytes += chunk.byteLength;
            if (bytes > limit) controller.error(tooLarge(limit));
            else controller.enqueue(chunk);
          },
        }),
      );
      setRequestParser((parsed) =>
        requestParser(
          new fetchAPI.Request(parsed.url, {
            method: parsed.method,
            headers: parsed.headers,
            signal: parsed.signal,
            body: counted,
            // @ts-expect-error: a streamed request body needs duplex: 'half'
            duplex: 'half',
          }),
        ),
      );
    },
  };
}
