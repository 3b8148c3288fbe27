/** Outcomes of measuring one of our figures: measured, not built yet, or built and broken. */
import type { Figure } from './types.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string; failed: boolean };

export function unavailable<T>(reason: string): Outcome<T> {
  return { ok: false, reason, failed: false };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a measurement of our code. A thrown error does not abort the other benchmarks: it is
 * recorded as a failed figure (printed to stderr, written to the JSON, and the run exits 1).
 */
export async function attempt<T>(label: string, run: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await run();
  } catch (err) {
    process.stderr.write(`bench: ${label} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    return { ok: false, reason: errorText(err), failed: true };
  }
}

/** A table figure from an outcome. */
export function figure<T>(label: string, outcome: Outcome<T>, pick: (value: T) => number): Figure {
  if (outcome.ok) return { label, value: pick(outcome.value) };
  return { label, unavailable: outcome.reason, failed: outcome.failed };
}
