// What the server keeps of the documents it is sent is bounded in bytes (src/graphql/
// document-caches.ts): 200 distinct documents of 300 KB each (60 MB of text, which Yoga's default
// cache of 1,024 entries would keep whole) leave little behind, valid or not.
import { describe, expect, it } from 'vitest';
import { mintJwt, useTestEnv } from './helpers/env.js';
import { retainedBy } from './helpers/heap.js';

const env = useTestEnv();
const MB = 1024 * 1024;

const padded = (i: number, body: string) =>
  `# ${String(i).padStart(6, '0')}${'x'.repeat(300_000)}\n${body}`;

describe('documents the server keeps', () => {
  it.each([
    ['valid', '{ __typename }'],
    ['invalid', '{ __typename '],
  ])('stay within a byte budget: 200 distinct %s documents of 300 KB', async (_kind, body) => {
    const token = await mintJwt({ companyId: 'cmp_docs' });
    const retained = await retainedBy(async () => {
      for (let i = 0; i < 200; i += 1) {
        const response = await env.app.fetch(
          new Request('http://localhost/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: padded(i, body) }),
          }),
        );
        await response.text();
      }
    });
    expect(retained).toBeLessThan(30 * MB);
  });
});
