/**
 * Builds peers for tests: our RPC and hypha-rpc's reference RPC, attached to a TestRouter.
 */
import * as hyphaRpc from 'hypha-rpc';

/** hypha-rpc's RPC class (its type declarations do not list it). */
const RefRPC = (hyphaRpc as unknown as { RPC: new (...args: any[]) => any }).RPC;
import { RPC, type RPCOptions } from '../../src/index.js';
import { TestRouter } from './router.js';

export const WS = 'ws-test';

export interface Peers {
  router: TestRouter;
  ours: RPC;
  ref: any;
  close(): void;
}

/** Options shared by both kinds of peers (snake_case works for both). */
export type PeerOptions = Partial<RPCOptions>;

export function ourPeer(router: TestRouter, clientId: string, options: PeerOptions = {}): RPC {
  return new RPC(router.attach(WS, clientId), { client_id: clientId, workspace: WS, ...options });
}

export function refPeer(router: TestRouter, clientId: string, options: PeerOptions = {}): any {
  return new RefRPC(router.attach(WS, clientId), {
    client_id: clientId,
    workspace: WS,
    logger: null,
    ...options,
  });
}

/** One of ours (`ts`) and one reference peer (`ref`) in workspace {@link WS}. */
export function createPeers(options: { ours?: PeerOptions; ref?: PeerOptions } = {}): Peers {
  const router = new TestRouter();
  const ours = ourPeer(router, 'ts', options.ours);
  const ref = refPeer(router, 'ref', options.ref);
  return {
    router,
    ours,
    ref,
    close() {
      ours.close();
      ref.close();
    },
  };
}
