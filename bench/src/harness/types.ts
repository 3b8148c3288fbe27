/** Shapes shared by every benchmark: what a benchmark returns and how the runner configures it. */

export interface BenchContext {
  /** `--quick`: every benchmark runs for about a second, with smaller sizes. */
  quick: boolean;
  /** Directory holding bench/src (children are spawned from here). */
  srcDir: string;
}

/** A figure that was measured. */
export interface Measured {
  label: string;
  value: number;
}

/** A figure that could not be measured, with the reason printed in its place. */
export interface Unavailable {
  label: string;
  unavailable: string;
  /** True when the part exists but measuring it threw: the run exits non-zero. */
  failed?: boolean;
}

export type Figure = Measured | Unavailable;

/**
 * A target on our figure: `ratio-*` compares ours/floor, plain `max`/`min` compare our value
 * (in the row's unit) with a fixed number.
 */
export type Target =
  | { kind: 'ratio-max'; value: number }
  | { kind: 'ratio-min'; value: number }
  | { kind: 'max'; value: number }
  | { kind: 'min'; value: number };

export interface Row {
  metric: string;
  unit: string;
  floor: Figure | null;
  ours: Figure;
  target?: Target;
}

export interface BenchReport {
  id: string;
  title: string;
  rows: Row[];
  notes: string[];
}

export interface Benchmark {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}

export function isMeasured(figure: Figure | null): figure is Measured {
  return figure !== null && 'value' in figure;
}
