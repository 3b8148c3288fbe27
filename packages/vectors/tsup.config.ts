import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // maps give original line numbers; the sources themselves are not shipped inside them
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  target: 'es2022',
  // an optional dependency, loaded at run time only when a local model is used: never bundled
  external: ['@huggingface/transformers'],
});
