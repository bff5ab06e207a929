// Per-request objects (services, repositories, loaders, pages) must keep one hidden class with
// fast properties: objects that each defined accessors of their own (Object.defineProperty with
// new closures, or getters in an object literal) got a hidden class, or a property dictionary, of
// their own, and V8 kept them alive past their request (test/memory.test.ts measures that).
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { type ContextDeps, createContext } from '../../src/context.js';
import type { Database } from '../../src/db/client.js';
import { createLoaders } from '../../src/graphql/loaders.js';
import { lazyObjects } from '../../src/lib/lazy.js';
import { toPage } from '../../src/lib/page.js';
import { createRepositories } from '../../src/repositories/index.js';
import { eventFeed } from '../../src/services/event-feed.js';

v8.setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean;
const hasFastProperties = new Function('a', 'return %HasFastProperties(a)') as (
  a: object,
) => boolean;

describe('lazyObjects', () => {
  it('makes each property on first read, once per object', () => {
    const made: string[] = [];
    const make = lazyObjects<{ name: string }, { greeting: string; shout: string }>({
      greeting: ({ name }) => {
        made.push(`greeting ${name}`);
        return `hello ${name}`;
      },
      shout: ({ name }) => {
        made.push(`shout ${name}`);
        return name.toUpperCase();
      },
    });
    const ada = make({ name: 'ada' });
    const bob = make({ name: 'bob' });
    expect(made).toEqual([]);
    expect(ada.greeting).toBe('hello ada');
    expect(ada.greeting).toBe('hello ada');
    expect(bob.shout).toBe('BOB');
    expect(made).toEqual(['greeting ada', 'shout bob']);
  });

  it('keeps a made value even when it is undefined or null', () => {
    let calls = 0;
    const make = lazyObjects<null, { nothing: undefined }>({
      nothing: () => {
        calls += 1;
        return undefined;
      },
    });
    const object = make(null);
    expect([object.nothing, object.nothing, calls]).toEqual([undefined, undefined, 1]);
  });
});

describe('per-request objects keep one hidden class', () => {
  const db = {} as Database;
  const principal = {
    companyId: 'cmp_a',
    actorId: 'stf_a',
    scopes: new Set(['customers:read']),
  };
  const deps: ContextDeps = {
    db,
    customerQuota: 10,
    clock: () => new Date(),
    publicBaseUrl: 'https://example.test',
    requestTimeoutMs: 10_000,
    eventFeed: eventFeed(),
  };
  const origin = { requestId: 'r', ip: null, userAgent: null };
  const twice = <T extends object>(make: () => T): [T, T] => [make(), make()];
  const numbered = lazyObjects<number, { n: number }>({ n: (x) => x });

  it.each([
    ['lazyObjects', () => numbered(1)],
    ['a context', () => createContext(deps, principal, origin)],
    ['services', () => createContext(deps, principal, origin).services],
    ['repositories', () => createRepositories(db, 'cmp_a')],
    ['loaders', () => createLoaders({ repos: createRepositories(db, 'cmp_a') })],
    [
      'a page and its pageInfo',
      () =>
        toPage(
          'scope',
          { first: 1, after: null },
          [{ id: 'cxn_1' }, { id: 'cxn_2' }],
          () => '2024-01-01 00:00:00+00',
          async () => 2,
        ).pageInfo,
    ],
  ])('%s', (_name, make) => {
    const [a, b] = twice(make as () => object);
    expect(haveSameMap(a, b)).toBe(true);
    expect(hasFastProperties(a)).toBe(true);
  });
});
