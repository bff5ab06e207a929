// Opens the store: an embedded PGlite (a data folder, or memory) or a PostgreSQL pool through
// postgres.js. Both are driven through the same Drizzle interface; nothing above this folder
// knows which one it has.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { DatabaseConfig } from '../config.js';

/** A Drizzle handle on either driver; a transaction handle has the same type. */
export type Database = PgDatabase<PgQueryResultHKT>;

export type Driver =
  | { kind: 'postgres'; client: postgres.Sql }
  | { kind: 'pglite'; client: PGlite };

export interface Store {
  db: Database;
  driver: Driver;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Called with the text of every SQL statement issued through Drizzle. */
  onQuery?: (statement: string) => void;
  /** A PGlite data folder dump to start from (tests clone a migrated template). */
  pgliteTemplate?: Blob;
  /** Cancels a statement that runs longer than this (PostgreSQL only). */
  statementTimeoutMs?: number;
}

export async function openStore(
  config: DatabaseConfig,
  options: StoreOptions = {},
): Promise<Store> {
  if (config.kind === 'postgres') {
    const onQuery = options.onQuery;
    const client = postgres(config.url, {
      max: config.poolSize,
      onnotice: () => {},
      // Counted at the driver, so that BEGIN and COMMIT count too.
      ...(onQuery ? { debug: (_connection: number, statement: string) => onQuery(statement) } : {}),
      connection: {
        application_name: 'customer-graph',
        TimeZone: 'UTC',
        statement_timeout: options.statementTimeoutMs ?? 10_000,
      },
    });
    const db: Database = drizzlePostgres({ client });
    return {
      db,
      driver: { kind: 'postgres', client },
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }

  if (config.dataDir !== null) mkdirSync(config.dataDir, { recursive: true });
  const client = await PGlite.create(config.dataDir ?? undefined, {
    ...(options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {}),
  });
  await client.exec(`set time zone 'UTC'`);
  const logger = { logQuery: (statement: string) => options.onQuery?.(statement) };
  const db: Database = drizzlePglite({ client, logger });
  return {
    db,
    driver: { kind: 'pglite', client },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}
