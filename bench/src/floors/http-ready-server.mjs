/**
 * The cold-start floor as plain JavaScript, for comparing with a server whose start entry is
 * JavaScript (no TypeScript loader): `node:http` answering `GET /health/readiness`. `--port <n>`.
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
