/** Resident-set size of another process, read from /proc/<pid>/status, and a peak sampler. */
import { readFileSync, writeFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!match) throw new Error(`proc-memory: no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Peak RSS since start or since the last `resetPeakRss` (Linux "high water mark"). */
export function peakRssBytes(pid: number): number {
  return statusField(pid, 'VmHWM');
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0: write 5 to clear_refs). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

export interface RssSampler {
  /** Stops sampling; returns the baseline and the highest RSS seen (sampled and kernel peak). */
  stop(): { baseline: number; peak: number };
}

/** Samples RSS every `intervalMs` and also reads the kernel's peak counter at the end. */
export function sampleRss(pid: number, intervalMs = 5): RssSampler {
  resetPeakRss(pid);
  const baseline = rssBytes(pid);
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssBytes(pid), peakRssBytes(pid));
      return { baseline, peak };
    },
  };
}
