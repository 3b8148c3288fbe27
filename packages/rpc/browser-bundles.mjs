/**
 * The tsup options of the two browser bundles (`hypha-rpc-websocket.min.js`, an IIFE exposing
 * `hyphaWebsocketClient`, and `hypha-rpc-websocket.mjs`, an ES module). Plain JavaScript so that
 * both tsup.config.ts and the server's start script (which builds the bundles it serves when they
 * are missing or stale) use the same options.
 */

/** In browser bundles `ws` is never needed (the global WebSocket is used): stub it out. */
const noWsInBrowser = {
  name: 'no-ws-in-browser',
  setup(build) {
    build.onResolve({ filter: /^ws$/ }, () => ({ path: 'ws', namespace: 'no-ws' }));
    build.onLoad({ filter: /.*/, namespace: 'no-ws' }, () => ({
      contents: 'export const WebSocket = undefined; export default undefined;',
      loader: 'js',
    }));
  },
};

const browser = {
  entry: { 'hypha-rpc-websocket': 'src/browser.ts' },
  platform: 'browser',
  target: 'es2020',
  noExternal: [/.*/],
  esbuildPlugins: [noWsInBrowser],
  sourcemap: true,
  // maps give line numbers; the sources themselves are not shipped inside them
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  dts: false,
  // one self-contained file per bundle
  splitting: false,
  clean: false,
};

/** @type {import('tsup').Options[]} */
export const browserBundles = [
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
];

/** The files the bundles are written to, relative to the package directory. */
export const browserBundleFiles = ['dist/hypha-rpc-websocket.min.js', 'dist/hypha-rpc-websocket.mjs'];
