/** The routing floor: a raw relay child and two raw peers, one serving `echo`. */
import { startRequiredChild, type ChildHandle } from '../harness/child.js';
import { connectRawPeer, type RawPeer } from './raw-peer.js';

export interface RelayPair {
  relay: ChildHandle;
  instances: ChildHandle[];
  caller: RawPeer;
  callee: RawPeer;
  echo(value: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startRelayPair(): Promise<RelayPair> {
  const relay = await startRequiredChild({ script: 'floors/ws-relay-server.ts' });
  const url = `ws://127.0.0.1:${String(relay.info.port)}/ws`;
  const callee = await connectRawPeer(url, 'callee');
  callee.serve((args) => args[0]);
  const caller = await connectRawPeer(url, 'caller');
  return {
    relay,
    instances: [relay],
    caller,
    callee,
    echo: (value) => caller.call(callee.address, 'services.echo.echo', [value]),
    async close() {
      await caller.close();
      await callee.close();
      await relay.stop();
    },
  };
}

/** Two relay instances bridged by Redis pub/sub: the callee on one, the caller on the other. */
export async function startRelayCluster(redisUrl: string, prefix: string): Promise<RelayPair> {
  const args = ['--redis', redisUrl, '--prefix', prefix];
  const a = await startRequiredChild({ script: 'floors/ws-relay-server.ts', args });
  const b = await startRequiredChild({ script: 'floors/ws-relay-server.ts', args });
  const callee = await connectRawPeer(`ws://127.0.0.1:${String(a.info.port)}/ws`, 'callee');
  callee.serve((args) => args[0]);
  const caller = await connectRawPeer(`ws://127.0.0.1:${String(b.info.port)}/ws`, 'caller');
  return {
    relay: a,
    instances: [a, b],
    caller,
    callee,
    echo: (value) => caller.call(callee.address, 'services.echo.echo', [value]),
    async close() {
      await caller.close();
      await callee.close();
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}
