// The node flags `npm start` runs the server with (package.json's start script), for whatever the
// benches run in its place: the baseline server, and the in-process measure's bundle.
import { readFileSync } from 'node:fs';
import { projectPath } from '../src/lib/paths.js';

export const START_FLAGS: readonly string[] = (
  JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((word) => /^--[a-z-]+(=|$)/.test(word));
