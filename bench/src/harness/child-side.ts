/** Helpers used inside child processes (servers under test) to talk to the runner. */
import type { ChildInfo, ChildMessage, ChildRequest, MemoryUsage } from './child-protocol.js';

export type Handler = (args: unknown) => unknown | Promise<unknown>;

function send(message: ChildMessage): void {
  if (!process.send) throw new Error('child-side: no IPC channel (spawn with the "ipc" stdio slot)');
  process.send(message);
}

/** Settles the heap (needs `--expose-gc`) and reports it. */
export async function settledMemory(): Promise<MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('child-side: memory requested but the child was not started with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

/**
 * Announces readiness and serves the runner's commands. `memory` is always available;
 * the runner ends the child with a `stop` command or by closing the channel.
 */
export function serveRunner(info: ChildInfo, handlers: Record<string, Handler>, stop: () => Promise<void>): void {
  const all: Record<string, Handler> = { memory: () => settledMemory(), ...handlers };
  const finish = (): void => {
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`child stop failed: ${String(err instanceof Error ? err.stack : err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('disconnect', finish);
  process.on('message', (raw) => {
    const req = raw as ChildRequest;
    if (req.kind !== 'request') return;
    if (req.cmd === 'stop') {
      send({ kind: 'reply', id: req.id, ok: true, result: null });
      finish();
      return;
    }
    const handler = all[req.cmd];
    if (!handler) {
      send({ kind: 'reply', id: req.id, ok: false, error: `unknown command "${req.cmd}"` });
      return;
    }
    Promise.resolve()
      .then(() => handler(req.args))
      .then(
        (result) => send({ kind: 'reply', id: req.id, ok: true, result }),
        (err: unknown) =>
          send({ kind: 'reply', id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  send({ kind: 'ready', info });
}

/** Reports that the thing under test does not exist yet, then exits. */
export function reportUnavailable(reason: string): void {
  send({ kind: 'unavailable', reason });
  process.disconnect?.();
}

/** Reads `--name value` style arguments given to a child script. */
export function childArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
