/**
 * Child process: a bare `ws` server. It answers the first text frame (the handshake) with a
 * fixed JSON reply and echoes every binary frame back. Used as the echo floor and as the
 * memory floor (it holds connections and nothing else).
 */
import { WebSocketServer } from 'ws';
import { serveRunner } from '../harness/child-side.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (isBinary) socket.send(data, { binary: true });
    else socket.send('{"type":"connection_info"}');
  });
});
wss.on('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('bare-ws-server: expected a TCP address');
  serveRunner(
    { port: address.port },
    { connections: () => wss.clients.size },
    () => new Promise<void>((done) => wss.close(() => done())),
  );
});
