/**
 * `--interactive`: a `node:repl` over the running server, with top-level await. Names in scope:
 * `server` (the RunningServer), `core`, `auth`, `api` (a root client of the public workspace,
 * the object startup functions get) and `connect(workspace)` for more clients. `.exit` stops the server.
 */
import repl from 'node:repl';
import type { Readable, Writable } from 'node:stream';
import type { RunningServer } from '../start-server.js';

export interface ReplOptions {
  input?: Readable;
  output?: Writable;
  /** Called after the REPL closed and the server stopped. */
  onExit?: () => void;
}

export async function startInteractive(server: RunningServer, o: ReplOptions = {}): Promise<repl.REPLServer> {
  const api = await server.ops.startup.server();
  const r = repl.start({
    prompt: 'hypha> ',
    input: o.input ?? process.stdin,
    output: o.output ?? process.stdout,
    terminal: o.input ? false : undefined,
    // One realm with the server: objects typed at the prompt must be plain Objects to the RPC encoder.
    useGlobal: true,
  });
  Object.assign(r.context, {
    server,
    core: server.core,
    auth: (api.store as { auth: unknown }).auth,
    api,
    connect: (workspace: string) => server.ops.startup.connect(workspace),
  });
  r.on('exit', () => {
    void server.close().then(() => o.onExit?.());
  });
  return r;
}
