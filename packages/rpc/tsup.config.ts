import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** In browser bundles `ws` is never needed (the global WebSocket is used): stub it out. */
const noWsInBrowser: EsbuildPlugin = {
  name: 'no-ws-in-browser',
  setup(build) {
    build.onResolve({ filter: /^ws$/ }, () => ({ path: 'ws', namespace: 'no-ws' }));
    build.onLoad({ filter: /.*/, namespace: 'no-ws' }, () => ({
      contents: 'export const WebSocket = undefined; export default undefined;',
      loader: 'js',
    }));
  },
};

const browser: Options = {
  entry: { 'hypha-rpc-websocket': 'src/browser.ts' },
  platform: 'browser',
  target: 'es2020',
  noExternal: [/.*/],
  esbuildPlugins: [noWsInBrowser],
  sourcemap: true,
  dts: false,
  // one self-contained file per bundle
  splitting: false,
  clean: false,
};

export default defineConfig([
  // The package: ESM + CJS + declarations; `ws` stays an external dependency.
  {
    entry: ['src/index.ts', 'src/node.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // `pnpm build` empties dist/ first; cleaning here would race the parallel browser builds
    clean: false,
    sourcemap: true,
    target: 'es2022',
  },
  // <script src=".../hypha-rpc-websocket.min.js"> exposes `hyphaWebsocketClient`, as hypha-rpc's does.
  {
    ...browser,
    format: ['iife'],
    globalName: 'hyphaWebsocketClient',
    minify: true,
    outExtension: () => ({ js: '.min.js' }),
    footer: {
      js: 'if(typeof module==="object"&&module&&module.exports){module.exports=hyphaWebsocketClient}if(typeof globalThis!=="undefined"){globalThis.hyphaWebsocketClient=hyphaWebsocketClient}',
    },
  },
  // import { connectToServer } from '.../hypha-rpc-websocket.mjs'
  {
    ...browser,
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
  },
]);
