// SIGTERM under a steady keep-alive load: the server stops taking connections, answers every
// request it took (each response closing its connection, so keep-alive clients move on), and
// exits 0 well within 10 s. A request is either answered or refused a connection; none sent on a
// connection the server had accepted is reset.
//
// One reset is outside any server's hands: Linux resets the connections still waiting in a
// listening socket's accept queue when that socket closes (the handshake done by the kernel, the
// server not having accepted them yet). Under a loaded CI a client's new connection can sit there
// at the moment of SIGTERM. Such a reset comes on a fresh connection, before any byte of a
// response, so each client here tells it apart with Node's `request.reusedSocket` (documented for
// exactly this) and counts it as refused. A reset on a reused keep-alive connection is the fault
// this test is for (closing idle connections at once, as http.Server's close does).
import { Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import { postGraphql } from './helpers/http.js';
import { exitOf, serverScratch, startServer } from './helpers/server.js';

const READ = `query { customers(companyId: "cmp_stop", first: 5) { edges { node { id } } } }`;
const QUERY = JSON.stringify({ query: READ });

describe('shutdown', () => {
  it('drains keep-alive load on SIGTERM and exits 0 within 10 s, resetting no request', async () => {
    const scratch = serverScratch('shutdown');
    const server = await startServer({ ...scratch.env, AUTH_JWT_SECRET: TEST_JWT_SECRET });
    try {
      const token = await mintJwt({ companyId: 'cmp_stop' });
      const outcomes = { answered: 0, refused: 0, unaccepted: 0, other: [] as string[] };
      let stopped = false;
      const agents: Agent[] = [];
      const client = async () => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        agents.push(agent);
        while (!stopped) {
          try {
            const { status, body } = await postGraphql(agent, server.url, QUERY, token);
            if (status === 200 && !body.includes('"errors"')) outcomes.answered += 1;
            else outcomes.other.push(`${status} ${body.slice(0, 200)}`);
          } catch (error) {
            const { code, reused } = error as { code?: string; reused?: boolean };
            if (code === 'ECONNREFUSED') {
              outcomes.refused += 1;
              return;
            }
            if (code === 'ECONNRESET' && reused === false) {
              // Reset in the accept queue as the listening socket closed (see the top).
              outcomes.unaccepted += 1;
              continue;
            }
            outcomes.other.push(`${code ?? String(error)}${reused ? ' (reused connection)' : ''}`);
          }
        }
      };
      const clients = Array.from({ length: 8 }, client);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const signalled = Date.now();
      server.process.kill('SIGTERM');
      const code = await exitOf(server.process);
      const tookMs = Date.now() - signalled;
      stopped = true;
      await Promise.all(clients);
      for (const agent of agents) agent.destroy();
      console.log(JSON.stringify({ shutdownMs: tookMs, ...outcomes }));
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(10_000);
      expect(outcomes.other).toEqual([]);
      expect(outcomes.answered).toBeGreaterThan(50);
      expect(outcomes.refused).toBeGreaterThan(0);
      // Rare, and at most one a client (its next connection is refused).
      expect(outcomes.unaccepted).toBeLessThanOrEqual(8);
    } finally {
      if (server.process.exitCode === null) await server.stop();
      scratch.remove();
    }
  }, 60_000);
});
