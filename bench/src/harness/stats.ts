/** Latency statistics over samples in nanoseconds, reported in microseconds. */

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of an ascending-sorted array; `q` in [0, 1]. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) throw new Error('percentile: no samples');
  if (!(q >= 0 && q <= 1)) throw new Error(`percentile: q must be within [0, 1], got ${q}`);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export function summarizeNs(samplesNs: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samplesNs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const us = (ns: number): number => ns / 1000;
  return {
    count: sorted.length,
    p50: us(percentile(sorted, 0.5)),
    p99: us(percentile(sorted, 0.99)),
    mean: us(sum / sorted.length),
    min: us(sorted[0]),
    max: us(sorted[sorted.length - 1]),
  };
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
