/**
 * `@hypha/rpc/node`: Node-only helpers (they use Node built-ins, so they are not part of the
 * browser-safe main entry).
 */
export { nodeToAsgi } from './asgi/node-asgi.js';
export type { NodeRequestHandler } from './asgi/node-asgi.js';
