/** One clear line for a server that cannot start (server-api §7): bad values, busy ports, bad hosts. */
import { ConfigError } from '../config-error.js';
import { DataDirLockedError } from '../data-dir-lock.js';
import { StartupFunctionError } from '../ops/startup-functions.js';

export function startFailureLine(err: unknown, host: string, port: number): string {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof StartupFunctionError) return err.message;
  if (e?.code === 'EADDRINUSE') return `port ${port} on ${host} is already in use (choose another with --port)`;
  if (e?.code === 'EACCES' && e.syscall === 'listen') return `no permission to listen on ${host}:${port} (ports below 1024 need privileges)`;
  if (e?.code === 'EADDRNOTAVAIL') return `cannot bind --host ${host}: the address is not on this machine`;
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `cannot bind --host ${host}: the name does not resolve`;
  return `failed to start: ${e instanceof Error ? e.message : String(err)}`;
}
