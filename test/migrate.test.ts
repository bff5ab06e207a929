import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/db/client.js';
import { migrate, migrationsFolder } from '../src/db/migrate.js';
import { postgresTestConfig } from './helpers/database.js';

const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
  entries: unknown[];
};
const url = process.env.DATABASE_URL;

describe('migrations', () => {
  it('apply on an empty PGlite, and a second run changes nothing', async () => {
    const store = await openStore({ kind: 'pglite', dataDir: null });
    try {
      await migrate(store);
      await migrate(store);
      if (store.driver.kind !== 'pglite') throw new Error('expected PGlite');
      const applied = await store.driver.client.query(
        'select count(*)::int as n from drizzle.__drizzle_migrations',
      );
      expect(applied.rows).toEqual([{ n: journal.entries.length }]);
    } finally {
      await store.close();
    }
  });

  it.runIf(url)(
    'are safe when two instances start at once on one PostgreSQL',
    async () => {
      // Through a pooler too: the stores migrate on DATABASE_DIRECT_URL, where the lock holds.
      const config = postgresTestConfig(2);
      const admin = postgres(config.kind === 'postgres' ? (config.directUrl ?? url!) : url!, {
        max: 1,
        onnotice: () => {},
      });
      const name = `cg_migrate_${Date.now()}_${process.pid}`;
      await admin.unsafe(`create database ${name}`);
      try {
        const on = (base: string) => {
          const target = new URL(base);
          target.pathname = `/${name}`;
          return target.toString();
        };
        if (config.kind !== 'postgres') throw new Error('expected PostgreSQL');
        const stores = await Promise.all(
          [1, 2, 3].map(() =>
            openStore({
              ...config,
              url: on(config.url),
              ...(config.directUrl ? { directUrl: on(config.directUrl) } : {}),
            }),
          ),
        );
        try {
          await Promise.all(stores.map((store) => migrate(store)));
          const driver = stores[0]!.driver;
          if (driver.kind !== 'postgres') throw new Error('expected PostgreSQL');
          const [row] =
            await driver.client`select count(*)::int as n from drizzle.__drizzle_migrations`;
          expect(row).toEqual({ n: journal.entries.length });
        } finally {
          await Promise.all(stores.map((store) => store.close()));
        }
      } finally {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    },
    60_000,
  );

  // A session's timeouts; behind a pooler (DATABASE_PREPARE=false) sessions carry none, and each
  // write transaction sets its own (test/faults.test.ts, the lock held past the deadline).
  it.runIf(url && process.env.DATABASE_PREPARE !== 'false')(
    'cancel a statement that runs past the statement timeout',
    async () => {
      const store = await openStore({
        kind: 'postgres',
        url: url!,
        poolSize: 1,
        timeouts: { connect: 1000, statement: 100, lock: 100 },
      });
      try {
        if (store.driver.kind !== 'postgres') throw new Error('expected PostgreSQL');
        await expect(store.driver.client`select pg_sleep(2)`).rejects.toThrow(/statement timeout/);
      } finally {
        await store.close();
      }
    },
  );
});
