/** File-descriptor limits read from /proc (Linux); Node cannot change its own limits. */
import { readFileSync } from 'node:fs';

export interface FdLimit {
  soft: number;
  hard: number;
}

export function fdLimit(pid: number | 'self' = 'self'): FdLimit {
  const text = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (!line) throw new Error(`fdLimit: no "Max open files" line in /proc/${pid}/limits`);
  const [soft, hard] = line.slice('Max open files'.length).trim().split(/\s+/);
  const parse = (v: string): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: parse(soft), hard: parse(hard) };
}
