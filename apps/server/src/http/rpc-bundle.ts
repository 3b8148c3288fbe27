/**
 * Locates the `@hypha/rpc` browser bundles served at `/assets/hypha-rpc-websocket.{js,min.js,mjs}`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUNDLES = {
  'hypha-rpc-websocket.js': 'hypha-rpc-websocket.min.js',
  'hypha-rpc-websocket.min.js': 'hypha-rpc-websocket.min.js',
  'hypha-rpc-websocket.mjs': 'hypha-rpc-websocket.mjs',
} as const;

/** The `@hypha/rpc` package directory as seen from this module (walks up the node_modules chain). */
export function findRpcPackageDir(from = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', '@hypha', 'rpc');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The built bundle file for `name`, or an explanation of how to build it. */
export function bundlePath(name: keyof typeof BUNDLES, packageDir: string | null): { path: string } | { error: string } {
  if (!packageDir) return { error: 'The @hypha/rpc package was not found next to the server; install the workspace with `pnpm install`.' };
  const file = join(packageDir, 'dist', BUNDLES[name]);
  if (!existsSync(file)) {
    return { error: `The browser bundle ${file} has not been built; run \`pnpm --filter @hypha/rpc build\`.` };
  }
  return { path: file };
}
