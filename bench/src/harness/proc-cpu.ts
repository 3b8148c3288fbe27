/** CPU time (user + system) consumed by another process, read from /proc/<pid>/stat. */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux x86-64). */
const TICKS_PER_SEC = 100;

/** CPU milliseconds (utime + stime) used so far by process `pid`. */
export function cpuMs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`proc-cpu: cannot read utime/stime from /proc/${pid}/stat`);
  return ((utime + stime) * 1000) / TICKS_PER_SEC;
}

/** Measures the CPU time `pid` spends while `work` runs; returns the result and CPU ms. */
export async function withCpu<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = cpuMs(pid);
  const result = await work();
  return { result, cpuMs: cpuMs(pid) - before };
}
