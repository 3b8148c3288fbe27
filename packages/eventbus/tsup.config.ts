import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per subpath export, so importing the core never loads the Redis driver.
  entry: { index: 'src/index.ts', 'redis/index': 'src/redis/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['redis'],
});
