/**
 * Child process for the cold-start floor: the least a server can do before it is ready, a Node
 * process answering `GET /health/readiness` from `node:http`. Started with `--port <n>`.
 */
import { createServer } from 'node:http';

const i = process.argv.indexOf('--port');
const port = Number(i >= 0 ? process.argv[i + 1] : NaN);
if (!Number.isInteger(port)) throw new Error('http-ready-server: --port <n> is required');
createServer((req, res) => {
  res.writeHead(req.url === '/health/readiness' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
