/**
 * The `@hypha/rpc` browser bundles the server serves at `/assets/hypha-rpc-websocket.{js,min.js,mjs}`:
 * built by `pnpm build`, and by `pnpm --filter server start` when they are missing or older than
 * the rpc package's sources, so a fresh clone serves them without a separate build step.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const rpcDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'node_modules', '@hypha', 'rpc');
const configFile = join(rpcDir, 'browser-bundles.mjs');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Why the bundles must be rebuilt, or null when they are up to date. */
export async function rpcBundlesStaleReason() {
  const { browserBundleFiles } = await import(pathToFileURL(configFile).href);
  let built = Infinity;
  for (const file of browserBundleFiles) {
    try {
      built = Math.min(built, statSync(join(rpcDir, file)).mtimeMs);
    } catch {
      return `${file} is missing`;
    }
  }
  const newest = Math.max(...['src', 'package.json', 'browser-bundles.mjs'].map((p) => newestMtime(join(rpcDir, p))));
  return newest > built ? 'the @hypha/rpc sources changed' : null;
}

/** Builds the browser bundles into the rpc package's dist/. */
export async function buildRpcBundles() {
  const [{ build }, { browserBundles }] = await Promise.all([import('tsup'), import(pathToFileURL(configFile).href)]);
  for (const options of browserBundles) {
    const entry = Object.fromEntries(Object.entries(options.entry).map(([name, file]) => [name, join(rpcDir, file)]));
    await build({ ...options, entry, outDir: join(rpcDir, 'dist'), config: false, silent: true });
  }
}
