/**
 * Streams a generated upload of `bytes` through `/{ws}/apps/{id}/upload` into an `asgi` service
 * (a fetch handler behind `fetchToAsgi`, registered by a `@hypha/rpc` client) that hashes it,
 * sampling this process's RSS meanwhile. Used by http-streaming.test.ts with a CI-sized body;
 * run it by hand for 1 GiB (server, provider and uploader share this process, so the RSS
 * growth bounds all three):
 *
 *   cd apps/server && pnpm exec tsx --conditions=@hypha/source test/http-upload-check.ts 1024
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { connectToServer, fetchToAsgi } from '@hypha/rpc';
import { startServer } from '../src/index.js';

export interface UploadResult {
  bytes: number;
  sent: string;
  received: { size: number; sha256: string };
  rssGrowth: number;
  seconds: number;
}

/** The provider side: a fetch handler that hashes whatever is PUT to /upload. */
export const hashingApp = fetchToAsgi(async (req) => {
  if (new URL(req.url).pathname !== '/upload' || !req.body) return new Response('PUT a body to /upload', { status: 404 });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return Response.json({ size, sha256: hash.digest('hex') });
});

/** A body of `bytes` generated on demand in 1 MiB chunks, hashed as it is produced. */
export function generatedBody(bytes: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  const chunkSize = 1024 * 1024;
  async function* chunks() {
    for (let sent = 0, n = 0; sent < bytes; n++) {
      const size = Math.min(chunkSize, bytes - sent);
      const chunk = new Uint8Array(size).fill(n & 0xff);
      new DataView(chunk.buffer).setUint32(0, n);
      hash.update(chunk);
      sent += size;
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), digest: () => hash.digest('hex') };
}

/**
 * PUTs the body with node:http, which honours backpressure (Node 20's fetch reads a
 * ReadableStream request body eagerly, holding it whole).
 */
function put(url: string, body: Readable): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    body.on('error', reject);
    body.pipe(req);
  });
}

/** Uploads `bytes` to `url` and returns what the app hashed, with the peak RSS growth seen. */
export async function uploadAndHash(url: string, bytes: number): Promise<UploadResult> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = Date.now();
  try {
    const body = generatedBody(bytes);
    const res = await put(url, body.stream);
    if (res.status !== 200) throw new Error(`Upload failed with ${res.status}: ${res.text}`);
    return { bytes, sent: body.digest(), received: JSON.parse(res.text), rssGrowth: peak - baseline, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 1024);
  if (!(mib > 0)) throw new Error(`Usage: http-upload-check.ts <MiB> (got ${process.argv[2]})`);
  const server = await startServer({ port: 0, quiet: true });
  const provider = await connectToServer({ server_url: server.url, client_id: 'hasher', logger: null } as Parameters<typeof connectToServer>[0]);
  try {
    const ws = (provider as any).config.workspace as string;
    await (provider as any).registerService({ id: 'hasher', type: 'asgi', config: { visibility: 'public' }, serve: hashingApp });
    const r = await uploadAndHash(`${server.url}/${ws}/apps/hasher/upload`, mib * 1024 * 1024);
    const ok = r.received.size === r.bytes && r.received.sha256 === r.sent;
    console.log(
      JSON.stringify({ ok, mib, seconds: r.seconds, mibPerSecond: +(mib / r.seconds).toFixed(1), rssGrowthMiB: +(r.rssGrowth / 2 ** 20).toFixed(1), sha256: r.sent }),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await (provider as any).disconnect();
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
