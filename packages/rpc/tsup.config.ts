import { defineConfig, type Options } from 'tsup';
import { browserBundles } from './browser-bundles.mjs';

export default defineConfig([
  // The package: ESM + CJS + declarations; `ws` stays an external dependency.
  {
    entry: ['src/index.ts', 'src/node.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // `pnpm build` empties dist/ first; cleaning here would race the parallel browser builds
    clean: false,
    sourcemap: true,
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
    target: 'es2022',
  },
  ...(browserBundles as Options[]),
]);
