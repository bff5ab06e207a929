// npm run fuzz -- --runs 30000 [--seed N]: test/fuzz.test.ts with more generated requests than
// the suite's 2,000 (on PGlite, or on DATABASE_URL), printing RSS after warm-up and at the end.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '30000' }, seed: { type: 'string' } },
});
const result = spawnSync('npx', ['vitest', 'run', 'test/fuzz.test.ts'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    FUZZ_RUNS: values.runs,
    ...(values.seed ? { FUZZ_SEED: values.seed } : {}),
  },
});
process.exit(result.status ?? 1);
