// Request bodies are limited, whether they announce their length or stream it in chunks.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/http/body-limit.js';
import { newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer(env.app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs the body in chunks (no Content-Length) or whole, and answers status and body. */
function post(
  token: string,
  body: string,
  chunked: boolean,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(chunked
            ? { 'transfer-encoding': 'chunked' }
            : { 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe('the request body limit', () => {
  const query = (padding: number) =>
    JSON.stringify({ query: `{ customersByIds(ids: []) { id } }${' '.repeat(padding)}` });

  it.each([false, true])('accepts a body within the limit (chunked: %s)', async (chunked) => {
    const company = await newCompany(env);
    const response = await post(company.token, query(100_000), chunked);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ data: { customersByIds: [] } });
  });

  it.each([false, true])('refuses a larger body with 413 (chunked: %s)', async (chunked) => {
    const company = await newCompany(env);
    const response = await post(company.token, query(MAX_BODY_BYTES + 10), chunked);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).errors[0].extensions.code).toBe('INVALID_ARGUMENT');
  });
});
