#!/usr/bin/env node
/**
 * Smoke test of a running deployment (compose, Helm, or instances started by hand), from a
 * checkout with `pnpm install` done (it borrows the npm `hypha-rpc` client from apps/server):
 *
 *   HYPHA_URL=http://localhost:9527 HYPHA_TOKEN=<root or user token> node deploy/smoke.mjs
 *
 * Checks, through HYPHA_URL (the load balancer): readiness; a WebSocket client registers a
 * service; four more clients call it (round robin puts some of them on another instance, so the
 * call crosses Redis) and so does plain HTTP; with HYPHA_TOKEN, an artifact file goes through
 * the presigned upload and download URLs (PostgreSQL + S3). HYPHA_INSTANCE_URLS (comma list of
 * direct instance URLs) adds a provider on the first instance called from the second.
 * Exits non-zero with the failing step named.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromServer = createRequire(join(repo, 'apps/server/package.json'));
const { hyphaWebsocketClient } = await import(pathToFileURL(fromServer.resolve('hypha-rpc')).href);
// Node 20 has no global WebSocket; hypha-rpc uses the global one.
const ws = await import(pathToFileURL(fromServer.resolve('ws')).href);
if (!('WebSocket' in globalThis)) globalThis.WebSocket = ws.WebSocket ?? ws.default;

const url = (process.env.HYPHA_URL ?? '').replace(/\/$/, '');
if (!url) throw new Error('Set HYPHA_URL to the deployment, e.g. http://localhost:9527');
const token = process.env.HYPHA_TOKEN || undefined;
const instances = (process.env.HYPHA_INSTANCE_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
const kw = (args) => ({ ...args, _rkwargs: true });
const open = [];

class StepFailed extends Error {}

async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ''}`);
  } catch (err) {
    console.error(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
    throw new StepFailed(name, { cause: err });
  }
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function connect(serverUrl, extra = {}) {
  const server = await hyphaWebsocketClient.connectToServer({ server_url: serverUrl, logger: null, ...extra });
  open.push(server);
  return server;
}

async function main() {
  await step('readiness through the load balancer', async () => {
    const res = await fetch(`${url}/health/readiness`);
    check(res.ok, `GET /health/readiness answered ${res.status}: ${await res.text()}`);
  });

  const serviceId = `smoke-${randomUUID().slice(0, 8)}`;
  let provider;
  let workspace;
  await step('connect over WebSocket through the load balancer and register a service', async () => {
    provider = await connect(url);
    workspace = provider.config.workspace;
    await provider.registerService({ id: serviceId, config: { visibility: 'public' }, echo: (x) => x, add: (a, b) => a + b });
    return `${workspace}/${serviceId}`;
  });

  await step('call it from four more clients through the load balancer', async () => {
    for (let i = 0; i < 4; i++) {
      const client = await connect(url);
      const svc = await client.getService(`${workspace}/${serviceId}`);
      const got = await svc.add(i, 40);
      check(got === i + 40, `client ${i} got ${JSON.stringify(got)}, expected ${i + 40}`);
    }
  });

  await step('call it over HTTP through the load balancer', async () => {
    const res = await fetch(`${url}/${workspace}/services/${serviceId}/echo?x=hello`);
    const body = await res.text();
    check(res.ok && JSON.parse(body) === 'hello', `GET /${workspace}/services/${serviceId}/echo answered ${res.status}: ${body}`);
  });

  if (instances.length >= 2) {
    await step('service on one instance, caller on another', async () => {
      const a = await connect(instances[0]);
      const id = `smoke-direct-${randomUUID().slice(0, 8)}`;
      await a.registerService({ id, config: { visibility: 'public' }, echo: (x) => x });
      const b = await connect(instances[1]);
      const svc = await b.getService(`${a.config.workspace}/${id}`);
      const payload = new Uint8Array(300_000).fill(7);
      const got = await svc.echo(payload);
      check(got instanceof Uint8Array && got.byteLength === payload.byteLength && got[299_999] === 7, 'binary echo across instances came back different');
      return `${instances[0]} -> ${instances[1]}`;
    });
  }

  if (token) {
    await step('artifact file through presigned URLs (PostgreSQL + S3)', async () => {
      const admin = await connect(url, { token });
      const am = await admin.getService('public/artifact-manager');
      const alias = `smoke-${randomUUID().slice(0, 8)}`;
      const art = await am.create(kw({ alias, manifest: { name: 'smoke' }, stage: true }));
      try {
        const putUrl = await am.put_file(kw({ artifact_id: art.id, file_path: 'hello.txt' }));
        const put = await fetch(putUrl, { method: 'PUT', body: 'hello from smoke.mjs' });
        check(put.ok, `PUT to the presigned URL ${new URL(putUrl).origin} answered ${put.status}: ${await put.text()}`);
        await am.commit(kw({ artifact_id: art.id }));
        const getUrl = await am.get_file(kw({ artifact_id: art.id, file_path: 'hello.txt' }));
        const got = await fetch(getUrl);
        const text = await got.text();
        check(got.ok && text === 'hello from smoke.mjs', `GET ${new URL(getUrl).origin} answered ${got.status}: ${text.slice(0, 200)}`);
        return `${art.id} via ${new URL(putUrl).origin}`;
      } finally {
        await am.delete(kw({ artifact_id: art.id, delete_files: true }));
      }
    });
  } else {
    console.log('note artifact check not run: set HYPHA_TOKEN to a token that may create artifacts');
  }
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  // A failed step has printed itself; anything else is printed here.
  if (!(err instanceof StepFailed)) console.error(err);
} finally {
  await Promise.allSettled(open.map((s) => s.disconnect()));
}
process.exit(failed ? 1 : 0);
