// npm run build (run before `npm start`): bundles the server into dist/main.js, which `npm start`
// runs with plain node. Packages stay in node_modules; only the project's own modules are joined.
// Run from source under tsx, the same server is slower (docs/performance.md): tsx compiles each
// file on its own, with esbuild's keepNames, and every call across modules reads a live binding.
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { projectPath } from '../lib/paths.js';

/** The bundle `npm start` runs. */
export const SERVER_BUNDLE = projectPath('dist', 'main.js');

/** Bundles `entry` (a path inside the project) into `outfile`, with a source map. */
export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [projectPath(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bundle('src/main.ts', SERVER_BUNDLE);
}
