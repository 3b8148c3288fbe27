/**
 * Child process: the HTTP floor. A bare express app whose one handler answers
 * `GET /:workspace/services/:service/:fn?value=…` with the JSON a service call would return.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { serveRunner } from '../harness/child-side.js';

const app = express();
app.get('/:workspace/services/:service/:fn', (req, res) => {
  res.json(req.query.value ?? null);
});
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveRunner({ port }, {}, () => new Promise<void>((done, fail) => server.close((err) => (err ? fail(err) : done()))));
});
server.keepAliveTimeout = 60_000;
