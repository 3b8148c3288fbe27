import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { registerClientWorker } from './helpers/client-worker.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Autoscaling with the reference's AutoscalingConfig: load is the calls per minute each instance
// serves, counted where the server routes them; the leader (the only server here) checks every
// 300 ms instead of the reference's 10 s.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('autoscaling', () => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let user: Proxy;
  let controller: Proxy;
  let worker: Awaited<ReturnType<typeof registerClientWorker>> | undefined;

  const config = (o: Record<string, unknown>) => ({
    enabled: true, min_instances: 1, max_instances: 3, target_requests_per_instance: 10,
    scale_up_threshold: 0.5, scale_down_threshold: 0.2, scale_up_cooldown: 1, scale_down_cooldown: 1, ...o,
  });
  const instances = async (appId: string) => (await controller.list_running()).filter((s: Proxy) => s.app_id === appId);

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
    t = await startTestServer({ ...backend.options, enableServerApps: true, appsAutoscaleCheckMs: 300 });
    await t.server.artifacts!.ready;
    const token = mintToken(t.authConfig, userWith('frank', { 'ws-user-frank': 'a' }, 'ws-user-frank'));
    user = (await clients.connect(token)).server;
    controller = await user.getService('public/server-apps');
    const workerApi = (await clients.connect(token)).server;
    worker = await registerClientWorker(workerApi, { id: 'scale-worker', appType: 'scale-app', functions: { echo: (x: unknown) => x } });
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('adds instances while the calls per instance exceed the threshold, up to max_instances', async () => {
    await controller.install(kw({ source: 'x', app_id: 'busy', overwrite: true, manifest: { name: 'Busy', type: 'scale-app', version: '1', autoscaling: config({}) } }));
    const first = await controller.start('busy');
    expect((await instances('busy')).length).toBe(1);
    const svc = await user.getService(first.service_id);
    for (let i = 0; i < 20; i++) expect(await svc.echo(i)).toBe(i); // 20 calls/min on one instance > 0.5 × 10
    await expect.poll(async () => (await instances('busy')).length, { timeout: 10_000, interval: 100 }).toBe(3);
    await sleep(2000); // 20 calls over 3 instances is still above the threshold, but 3 is the maximum
    expect((await instances('busy')).length).toBe(3);
    expect((await instances('busy')).every((s: Proxy) => s.autoscaling === true)).toBe(true);
    for (const s of await instances('busy')) await controller.stop(s.id);
  });

  it('waits for the scale-up cooldown before adding another instance', async () => {
    await controller.install(kw({ source: 'x', app_id: 'cool', overwrite: true, manifest: { name: 'Cool', type: 'scale-app', version: '1', autoscaling: config({ scale_up_cooldown: 60 }) } }));
    const first = await controller.start('cool');
    const svc = await user.getService(first.service_id);
    for (let i = 0; i < 30; i++) await svc.echo(i);
    await expect.poll(async () => (await instances('cool')).length, { timeout: 10_000, interval: 100 }).toBe(2);
    await sleep(2000); // 15 calls per instance is above the threshold; the cooldown holds it at 2
    expect((await instances('cool')).length).toBe(2);
    for (const s of await instances('cool')) await controller.stop(s.id);
  });

  it('stops the least-called instance while the load is below the threshold, down to min_instances', async () => {
    await controller.install(kw({ source: 'x', app_id: 'idle', overwrite: true, manifest: { name: 'Idle', type: 'scale-app', version: '1', autoscaling: config({ scale_up_threshold: 100 }) } }));
    const a = await controller.start('idle');
    const svcA = await user.getService(a.service_id);
    await svcA.echo(1); // a has one call (one instance is min_instances: nothing to scale yet)
    const b = await controller.start('idle'); // with autoscaling on, each start is a new instance
    expect(a.id).not.toBe(b.id); // b has no calls: it is the least called
    await expect.poll(async () => (await instances('idle')).map((s: Proxy) => s.id), { timeout: 10_000, interval: 100 }).toEqual([a.id]);
    await sleep(1500); // min_instances is 1
    expect((await instances('idle')).map((s: Proxy) => s.id)).toEqual([a.id]);
    await controller.stop(a.id);
  });

  it('rejects an invalid AutoscalingConfig, naming the field', async () => {
    await expect(controller.install(kw({ source: 'x', app_id: 'bad', manifest: { name: 'B', type: 'scale-app', version: '1', autoscaling: config({ min_instances: 3, max_instances: 2 }) } })))
      .rejects.toThrow(/autoscaling\.max_instances' \(2\) must be at least min_instances \(3\)/);
    await expect(controller.install(kw({ source: 'x', app_id: 'bad', manifest: { name: 'B', type: 'scale-app', version: '1', autoscaling: config({ scale_up_cooldown: 'soon' }) } })))
      .rejects.toThrow(/autoscaling\.scale_up_cooldown' must be a non-negative number/);
    await controller.install(kw({ source: 'x', app_id: 'plain', overwrite: true, manifest: { name: 'P', type: 'scale-app', version: '1' } }));
    await expect(controller.edit_app(kw({ app_id: 'plain', autoscaling_config: { enabled: true, scale_down_threshold: 0.9, scale_up_threshold: 0.5 } })))
      .rejects.toThrow(/autoscaling\.scale_down_threshold' \(0\.9\) must be below scale_up_threshold \(0\.5\)/);
  });
});
