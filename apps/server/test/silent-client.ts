import { hyphaWebsocketClient } from 'hypha-rpc';

type ConnectConfig = Parameters<typeof hyphaWebsocketClient.connectToServer>[0];

/**
 * The npm hypha-rpc client, silent unless `config.logger` is given (`logger: null`, which its bundled typings omit).
 * Returns the manager proxy, whose full method set the typings do not describe either.
 */
export function connectSilently(config: Record<string, unknown>): Promise<any> {
  return hyphaWebsocketClient.connectToServer({ logger: null, ...config } as ConnectConfig);
}
