/** Starts our server in a child process for a benchmark. */
import { startChild, type ChildHandle } from '../harness/child.js';
import { unavailable, type Outcome } from '../harness/not-available.js';

export interface OurServer {
  child: ChildHandle;
  /** http://127.0.0.1:<port> */
  httpUrl: string;
  /** ws://127.0.0.1:<port>/ws */
  wsUrl: string;
}

export async function startOurServer(opts: { redis?: string; redisPrefix?: string; openFiles?: number; exposeGc?: boolean } = {}): Promise<Outcome<OurServer>> {
  const started = await startChild({
    script: 'servers/our-server-child.ts',
    args: [...(opts.redis ? ['--redis', opts.redis] : []), ...(opts.redisPrefix ? ['--redis-prefix', opts.redisPrefix] : [])],
    openFiles: opts.openFiles,
    exposeGc: opts.exposeGc,
  });
  if (!started.ok) return unavailable(started.reason);
  const httpUrl = String(started.child.info.url);
  return { ok: true, value: { child: started.child, httpUrl, wsUrl: `${httpUrl.replace(/^http/, 'ws')}/ws` } };
}
