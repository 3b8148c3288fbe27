/**
 * Server apps, each figure next to its floor from the same run:
 * - install-to-first-call of a window app (install with its verification run, then the first
 *   call through `default@app`, which starts it again), and a lazy start of an installed app
 *   (`get_service("default@app")` + one call), next to Chromium itself loading an empty page
 *   (a fresh context and page in an already launched browser, as the browser worker does);
 * - a call to a running app's service next to the same call to an ordinary client's service
 *   (both routed by the server, same caller).
 * Usage: node --conditions=@hypha/source --import tsx src/standalone/server-apps.ts [--quick]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { connectToServer } from '@hypha/rpc';
import { startServer } from '@hypha/server';

const quick = process.argv.includes('--quick');
const STARTS = quick ? 3 : 10;
const CALLS = quick ? 200 : 2_000;
const WARMUP = 50;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type Proxy = Record<string, any>;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function timeEach(n: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run(i);
    out.push(performance.now() - t0);
  }
  return out;
}

const APP = (name: string) => `<config lang="json">{"name": "${name}", "type": "window", "version": "1.0.0"}</config>
<script lang="javascript">
await api.export({ setup() {}, echo: (x) => x });
</script>`;

// Floor: Chromium loading an empty page (new context + page + navigation), browser already up.
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
await (await browser.newPage()).close();
const emptyPage = await timeEach(STARTS, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('data:text/html,<!doctype html><title>empty</title>');
  await context.close();
});
await browser.close();

const dataDir = await mkdtemp(join(tmpdir(), 'hypha-bench-apps-'));
const rootToken = randomBytes(48).toString('base64url');
const server = await startServer({ port: 0, quiet: true, enableServerApps: true, dataDir, rootToken, env: { ...process.env, HYPHA_PYTHON: 'no-python-here' } });
await server.artifacts!.ready;
// Installing needs a logged-in user: the root token is one.
const client = (await connectToServer({ server_url: server.url, token: rootToken } as Parameters<typeof connectToServer>[0])) as unknown as Proxy;
const apps = await client.getService('public/server-apps');
const kw = (o: Record<string, unknown>) => ({ ...o, _rkwargs: true });
const stopAll = async () => {
  for (const s of await apps.list_running()) await apps.stop(s.id);
};

// Ours: install-to-first-call (a new app each round, so nothing is reused).
const installToCall = await timeEach(STARTS, async (i) => {
  await apps.install(kw({ source: APP(`bench ${i}`), app_id: `bench-${i}`, overwrite: true }));
  const svc = await client.getService(`default@bench-${i}`);
  if ((await svc.echo(i)) !== i) throw new Error('window app answered wrongly');
});
await stopAll();

// Ours: lazy start of an installed app that is not running.
const lazy = await timeEach(STARTS, async () => {
  const svc = await client.getService('default@bench-0');
  if ((await svc.echo(1)) !== 1) throw new Error('window app answered wrongly');
  await stopAll();
});

// A running app's service next to an ordinary client's service.
const provider = (await connectToServer({ server_url: server.url, workspace: client.config.workspace, token: await client.generateToken() } as Parameters<typeof connectToServer>[0])) as unknown as Proxy;
await provider.registerService({ id: 'plain', config: { visibility: 'public' }, echo: (x: unknown) => x });
const plain = await client.getService(`${client.config.workspace}/${provider.config.client_id}:plain`);
const appSvc = await client.getService('default@bench-0');
for (let i = 0; i < WARMUP; i++) {
  await plain.echo(i);
  await appSvc.echo(i);
}
const plainCalls = await timeEach(CALLS, (i) => plain.echo(i));
const appCalls = await timeEach(CALLS, (i) => appSvc.echo(i));

await stopAll();
await provider.disconnect();
await client.disconnect();
await server.close();
await rm(dataDir, { recursive: true, force: true });

const ms = (xs: number[]) => `| ${p50(xs).toFixed(0)} ms | ${mean(xs).toFixed(0)} ms |`;
const us = (xs: number[]) => `| ${(p50(xs) * 1000).toFixed(0)} µs | ${(mean(xs) * 1000).toFixed(0)} µs | ${(1000 / mean(xs)).toFixed(0)} calls/s |`;
process.stdout.write(
  [
    `Server apps (window apps in ${CHROMIUM}), ${STARTS} starts, ${CALLS} sequential calls`,
    '| path | p50 | mean |',
    '| --- | --- | --- |',
    `| floor: Chromium, new context + page + empty page ${ms(emptyPage)}`,
    `| ours: install (verification run) to first call ${ms(installToCall)}`,
    `| ours: lazy start, get_service("default@app") + call ${ms(lazy)}`,
    `ratio (p50, lazy start / floor): ${(p50(lazy) / p50(emptyPage)).toFixed(1)}`,
    '',
    '| path | p50 | mean | throughput |',
    '| --- | --- | --- | --- |',
    `| floor: call to an ordinary client's service ${us(plainCalls)}`,
    `| ours: call to a running app's service ${us(appCalls)}`,
    `ratio (p50, ours / floor): ${(p50(appCalls) / p50(plainCalls)).toFixed(2)}`,
    '',
  ].join('\n'),
);
