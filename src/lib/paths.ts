import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path inside the project (the folder holding package.json), found from this module: it sits
 * in src/lib/ when run from source and in dist/ when run from the bundle `npm start` builds.
 */
export function projectPath(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('customer-graph: the project folder was not found');
    dir = parent;
  }
  return join(dir, ...parts);
}
