import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per subpath export, so importing the core never loads the Redis driver.
  entry: { index: 'src/index.ts', 'redis/index': 'src/redis/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // maps give original line numbers; the sources themselves are not shipped inside them
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  target: 'es2022',
  external: ['redis'],
});
