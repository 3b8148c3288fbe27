/**
 * Bundles the server's start entry (src/main.ts) with the workspace packages' TypeScript sources
 * into dist/start/ (ESM, one chunk per dynamic import so optional backends load only when used).
 * Statically imported third-party packages are bundled too; dynamically imported ones stay
 * external (see the plugin below), since pnpm does not make the workspace packages' own
 * dependencies resolvable from apps/server by name.
 * The list of inputs is written to dist/start/inputs.json for the staleness check in start.mjs.
 */
import { builtinModules } from 'node:module';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = join(serverDir, 'dist', 'start');
export const inputsFile = join(outDir, 'inputs.json');

const builtins = new Set(builtinModules);

/**
 * Third-party packages imported statically are bundled (one file to load instead of hundreds of
 * CommonJS files to resolve, read and wrap). Packages imported with `import()` — optional
 * backends (PGlite with its wasm files, pg, S3, Redis) — stay external, imported by the absolute
 * path esbuild resolved them to, so they load only when used and find their own files.
 */
const externalizeDynamicImports = {
  name: 'externalize-dynamic-imports',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.path.startsWith('@hypha/')) return undefined;
      if (args.path.startsWith('node:') || builtins.has(args.path)) return { path: args.path, external: true };
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
      if (found.errors.length > 0) {
        // An optional dependency that is not installed (guarded by try/catch in its importer):
        // left as it is, it fails at run time only if that code path runs, as without bundling.
        if (args.kind !== 'import-statement') return { path: args.path, external: true };
        return { errors: found.errors };
      }
      return args.kind === 'dynamic-import' ? { path: found.path, external: true } : undefined;
    });
  },
};

/** Builds dist/start/main.js; returns its path. */
export async function buildStart() {
  const { build } = await import('esbuild');
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: serverDir,
    entryPoints: { main: 'src/main.ts' },
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@hypha/source'],
    sourcemap: true,
    metafile: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
    plugins: [externalizeDynamicImports],
    // Bundled CommonJS packages call require() for Node built-ins and optional dependencies.
    banner: { js: "import { createRequire as __hyphaCreateRequire } from 'node:module';\nconst require = __hyphaCreateRequire(import.meta.url);" },
  });
  // Installed packages change only with a manifest change (pnpm paths carry versions), so the
  // staleness check looks at our own sources, manifests and the external entry files only.
  const inputs = new Set(
    Object.keys(result.metafile.inputs)
      .map((p) => resolve(serverDir, p))
      .filter((p) => !p.includes('/node_modules/')),
  );
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && imp.path.startsWith('/')) inputs.add(imp.path);
  }
  // Package manifests decide how workspace imports resolve; the build script decides the output.
  for (const p of [...inputs]) {
    const m = /^(.*\/(?:packages(?:\/workers)?|apps)\/[^/]+)\/src\//.exec(p);
    if (m) inputs.add(join(m[1], 'package.json'));
  }
  inputs.add(fileURLToPath(import.meta.url));
  writeFileSync(join(tmp, 'inputs.json'), JSON.stringify([...inputs].sort()));
  mkdirSync(dirname(outDir), { recursive: true });
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  return join(outDir, 'main.js');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entry = await buildStart();
  console.log(`built ${entry}`);
}
