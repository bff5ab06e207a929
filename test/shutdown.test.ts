// SIGTERM under a steady keep-alive load: the server stops taking connections, answers every
// request it took (each response closing its connection, so keep-alive clients move on), and
// exits 0 well within 10 s. A request is either answered or refused a connection; none is reset.
import { describe, expect, it } from 'vitest';
import { mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import { exitOf, serverScratch, startServer } from './helpers/server.js';

const READ = `query { customers(companyId: "cmp_stop", first: 5) { edges { node { id } } } }`;

describe('shutdown', () => {
  it('drains keep-alive load on SIGTERM and exits 0 within 10 s, resetting no request', async () => {
    const scratch = serverScratch('shutdown');
    const server = await startServer({ ...scratch.env, AUTH_JWT_SECRET: TEST_JWT_SECRET });
    try {
      const token = await mintJwt({ companyId: 'cmp_stop' });
      const outcomes = { answered: 0, refused: 0, other: [] as string[] };
      let stopped = false;
      const client = async () => {
        while (!stopped) {
          try {
            const response = await fetch(`${server.url}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ query: READ }),
            });
            const body = await response.text();
            if (response.status === 200 && !body.includes('"errors"')) outcomes.answered += 1;
            else outcomes.other.push(`${response.status} ${body.slice(0, 200)}`);
          } catch (error) {
            const code = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
            if (code === 'ECONNREFUSED') {
              outcomes.refused += 1;
              return;
            }
            outcomes.other.push(code);
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
      console.log(JSON.stringify({ shutdownMs: tookMs, ...outcomes }));
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(10_000);
      expect(outcomes.other).toEqual([]);
      expect(outcomes.answered).toBeGreaterThan(50);
      expect(outcomes.refused).toBeGreaterThan(0);
    } finally {
      if (server.process.exitCode === null) await server.stop();
      scratch.remove();
    }
  }, 60_000);
});
