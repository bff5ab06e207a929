// A client that stops reading what it is sent (a subscriber that no longer drains its SSE stream
// or WebSocket, a slow reader of a large page) is disconnected once the server's writes have
// waited on it for CLIENT_STALL_MS without the socket draining once.
//
// What such a client costs the server is bounded without this: a subscription reads its next
// event only after the last one is written (Yoga's SSE stream pulls, @whatwg-node/server waits
// for 'drain', graphql-ws awaits each send, and the event service reads a page at a time), so it
// holds at most a page of events and the socket's buffers. This frees the connection too, and
// makes the stall visible (a warning and a metric). The client's next read ends with the
// connection closed; a subscriber resubscribes from its last cursor and misses nothing.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../lib/logger.js';

/** Watches every connection the server accepts (WebSocket upgrades included); returns a stop. */
export function closeStalledClients(
  server: Server,
  options: { stallMs: number; logger: Logger; onClose?: () => void },
): () => void {
  const { stallMs, logger, onClose } = options;
  // Each open socket, and since when its writes have waited on a drain (0: they have not).
  const waiting = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    waiting.set(socket, 0);
    socket.on('drain', () => {
      if (waiting.has(socket)) waiting.set(socket, 0);
    });
    socket.once('close', () => waiting.delete(socket));
  });
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [socket, since] of waiting) {
        if (!socket.writableNeedDrain) {
          if (since !== 0) waiting.set(socket, 0);
        } else if (since === 0) {
          waiting.set(socket, now);
        } else if (now - since >= stallMs) {
          waiting.delete(socket);
          logger.warn(
            { remoteAddress: socket.remoteAddress, pendingBytes: socket.writableLength, stallMs },
            'closing a connection whose client stopped reading',
          );
          logger.flush();
          onClose?.();
          socket.destroy();
        }
      }
    },
    Math.max(50, Math.floor(stallMs / 4)),
  );
  sweep.unref();
  return () => clearInterval(sweep);
}
