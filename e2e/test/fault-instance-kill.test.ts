import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, randomSecret } from './cluster-helpers/hypha-clients.js';
import { deletePrefixed } from './cluster-helpers/redis-cli.js';
import { ServerProcess } from './cluster-helpers/server-process.js';

// Issue #10 items 10 and 12: an instance of a two-instance cluster is SIGKILLed while callers on
// the other instance wait on its provider. Once the cluster knows the instance is dead, those
// calls fail at once (not after the callers' 60 s timeout), and later calls fail fast too, for
// callers in the provider's workspace and in other workspaces alike.

const REDIS_PORT = 6379;
const PREFIX = `hypha-fault-kill-${randomUUID().slice(0, 8)}:`;
const ROOT_TOKEN = randomSecret();
const WORKSPACE = `kill-${randomUUID().slice(0, 8)}`;
const METHOD_TIMEOUT_S = 60;

const pool = new ClientPool();
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  const common = { redisUri: `redis://127.0.0.1:${REDIS_PORT}`, keyPrefix: PREFIX, rootToken: ROOT_TOKEN, jwtSecret: randomSecret(), heartbeatSeconds: 1, publicBaseUrl: `http://${WORKSPACE}.cluster.invalid` };
  [a, b] = await Promise.all([ServerProcess.start(common), ServerProcess.start(common)]);
}, 60_000);

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') {
    for (const s of [a, b].filter(Boolean)) console.error(`--- server ${s.serverId} ---\n${s.log.join('\n')}`);
  }
});

afterAll(async () => {
  await pool.disconnectAll();
  await Promise.all([a, b].filter(Boolean).map((s) => s.stop()));
  await deletePrefixed(REDIS_PORT, PREFIX);
}, 30_000);

/** Milliseconds until `call` settles, and how (it must reject). */
async function rejection(call: Promise<unknown>): Promise<{ ms: number; message: string }> {
  const started = Date.now();
  try {
    await call;
  } catch (err) {
    return { ms: Date.now() - started, message: err instanceof Error ? err.message : String(err) };
  }
  throw new Error('the call resolved, but its provider is dead');
}

describe('an instance killed while callers wait on its provider', () => {
  it('fails the pending and the later calls fast, in the same and in other workspaces', async () => {
    const admin = await pool.connect(a.url, { client_id: 'kill-admin', token: ROOT_TOKEN });
    await admin.createWorkspace({ id: WORKSPACE, name: WORKSPACE, description: 'instance kill e2e', persistent: true });
    const token: string = await admin.generateToken({ workspace: WORKSPACE, permission: 'read_write', expires_in: 600 });
    await pool.disconnect(admin);

    const provider = await pool.connect(a.url, { client_id: 'provider-a', token, workspace: WORKSPACE });
    await provider.registerService({
      id: 'slow',
      config: { visibility: 'public' },
      // Never answers: the caller waits on the provider's heartbeats, which stop with the instance.
      hang: () => new Promise(() => undefined),
      ping: () => 'pong',
    });
    const sid = `${WORKSPACE}/provider-a:slow`;
    const sameWs = await pool.connect(b.url, { client_id: 'caller-same', token, workspace: WORKSPACE, method_timeout: METHOD_TIMEOUT_S });
    const otherWs = await pool.connect(b.url, { client_id: 'caller-other', method_timeout: METHOD_TIMEOUT_S });
    expect(otherWs.config.workspace).not.toBe(WORKSPACE);
    const fromSame = await sameWs.getService(sid);
    const fromOther = await otherWs.getService(sid);
    expect(await fromSame.ping()).toBe('pong');
    expect(await fromOther.ping()).toBe('pong');

    const pendingSame = rejection(fromSame.hang());
    const pendingOther = rejection(fromOther.hang());
    // Both calls reached the provider before its instance dies.
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = Date.now();
    await a.stop('SIGKILL');

    const [same, other] = await Promise.all([pendingSame, pendingOther]);
    console.info(JSON.stringify({ measured: 'sigkill-to-pending-call-rejected', same_ws_ms: Date.now() - killedAt, other_ws_ms: other.ms }));
    // Detection takes the liveness TTL plus a confirmation pass (a few seconds with a 1 s
    // heartbeat); the callers' own timeout is 60 s.
    for (const r of [same, other]) {
      expect(r.ms).toBeLessThan((METHOD_TIMEOUT_S * 1000) / 2);
      expect(r.message).toMatch(/not connected|disconnected/i);
      expect(r.message).not.toMatch(/timeout/i);
    }

    // The instance is known dead now: a new call fails at once.
    for (const svc of [fromSame, fromOther]) {
      const later = await rejection(svc.ping());
      expect(later.ms).toBeLessThan(5_000);
      expect(later.message).toMatch(/not connected|disconnected/i);
    }
    // The surviving instance still serves.
    expect(await otherWs.echo('still here')).toBe('still here');
  }, 90_000);
});
