/**
 * The idle-memory floor as plain JavaScript (our server also starts as JavaScript): a bare `ws`
 * server next to an embedded PGlite database with pgvector, as our server embeds it, opened and
 * then left idle. Prints one JSON line `{"event":"ready","port":…}` when both are up.
 * Usage: node ws-pglite-server.mjs [--data-dir <dir>] [--pglite none|defaults|small]
 *   none      no database (a bare `ws` server)
 *   defaults  PGlite with its default settings (128 MB buffer cache)
 *   small     PGlite with our server's settings (16 MB buffer cache)
 */
import { WebSocketServer } from 'ws';

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const mode = arg('pglite') ?? 'none';
if (!['none', 'defaults', 'small'].includes(mode)) throw new Error(`ws-pglite-server: --pglite must be none, defaults or small, got ${mode}`);

if (mode !== 'none') {
  const dataDir = arg('data-dir');
  if (!dataDir) throw new Error('ws-pglite-server: --data-dir <dir> is required with a database');
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const startParams = mode === 'small' ? [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] : undefined;
  const pg = await PGlite.create({ dataDir, extensions: { vector }, ...(startParams ? { startParams } : {}) });
  await pg.exec('create extension if not exists vector; create table if not exists t (n int); insert into t values (1)');
}
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(isBinary ? data : '{"type":"connection_info"}', { binary: isBinary })));
wss.on('listening', () => {
  process.stdout.write(`${JSON.stringify({ event: 'ready', port: wss.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
