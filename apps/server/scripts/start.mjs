/**
 * `pnpm --filter server start [flags]`: runs the bundled server (dist/start/main.js), building it
 * first when it is missing or older than any of its inputs (sources, package manifests, the
 * external packages it imports), and the `@hypha/rpc` browser bundles it serves under /assets
 * when they are missing or stale. A fresh clone needs no separate build step; later starts skip
 * TypeScript compilation entirely.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const outDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist', 'start');
const entry = join(outDir, 'main.js');

/** Why dist/start must be rebuilt, or null when it is up to date. */
function staleReason() {
  let built;
  let inputs;
  try {
    built = statSync(entry).mtimeMs;
    inputs = JSON.parse(readFileSync(join(outDir, 'inputs.json'), 'utf8'));
  } catch {
    return 'no build yet';
  }
  for (const file of inputs) {
    let mtime;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      return `${file} is gone`;
    }
    if (mtime > built) return `${file} changed`;
  }
  return null;
}

const bundles = await import('./rpc-bundles.mjs');
const bundlesReason = await bundles.rpcBundlesStaleReason();
if (bundlesReason !== null) {
  process.stderr.write(`hypha-server: building the @hypha/rpc browser bundles (${bundlesReason})\n`);
  await bundles.buildRpcBundles();
}

const reason = staleReason();
if (reason !== null) {
  process.stderr.write(`hypha-server: building ${entry} (${reason})\n`);
  const { buildStart } = await import('./build-start.mjs');
  await buildStart();
}
await import(pathToFileURL(entry).href);
