// A GraphQL POST over node:http on a given agent's kept-alive connection, for the tests that must
// know which connection a request went on (test/memory.test.ts, test/shutdown.test.ts): fetch
// pools connections of its own and does not say whether one was reused.
import { type Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * POSTs `body` to `<origin>/graphql` with the bearer token, on the agent's connection. A failure
 * carries `reused`: whether it came on a connection used before (Node's `request.reusedSocket`).
 */
export function postGraphql(
  agent: Agent,
  origin: string,
  body: string,
  token: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${origin}/graphql`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', (error) => reject(Object.assign(error, { reused: req.reusedSocket })));
      },
    );
    req.on('error', (error) => reject(Object.assign(error, { reused: req.reusedSocket })));
    req.end(body);
  });
}
