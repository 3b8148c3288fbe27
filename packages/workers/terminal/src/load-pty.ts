/**
 * `@lydell/node-pty` loaded on first use, so that a machine without a prebuilt binary for its
 * platform can still run the server: starting a terminal session then fails with the reason.
 */
import { UnavailableError } from '@hypha/service';

type PtyModule = typeof import('@lydell/node-pty');

let loaded: Promise<PtyModule> | null = null;

export function loadPty(): Promise<PtyModule> {
  loaded ??= import('@lydell/node-pty').catch((err: unknown) => {
    loaded = null;
    throw new UnavailableError(`Failed to spawn terminal process: @lydell/node-pty cannot be loaded on ${process.platform}-${process.arch}: ${(err as Error).message}`);
  });
  return loaded;
}

/** Null when node-pty loads here, else why not. */
export async function ptyUnavailableReason(): Promise<string | null> {
  try {
    await loadPty();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
