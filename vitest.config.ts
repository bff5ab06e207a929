import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The whole suite runs on an embedded PGlite by default (each test file on its own copy of a
// migrated template) and on PostgreSQL when DATABASE_URL is set.
export default defineConfig({
  resolve: {
    // graphql ships CommonJS and ESM builds; Node (and the libraries it loads) uses the CommonJS
    // one, so the test code must too, or two copies of graphql meet ("another module or realm").
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
