/** How long each phase runs in full and in quick mode. */
import type { BenchContext } from './types.js';

export interface Phase {
  warmupMs: number;
  durationMs: number;
}

/**
 * `variants` is how many measurements share the benchmark's time budget: in quick mode the
 * whole benchmark takes about a second, in a full run each variant gets `fullMs`.
 */
export function phase(ctx: BenchContext, variants: number, fullMs = 5000): Phase {
  if (ctx.quick) {
    const each = Math.max(60, Math.floor(900 / variants));
    return { warmupMs: Math.floor(each / 4), durationMs: each - Math.floor(each / 4) };
  }
  return { warmupMs: Math.min(1000, fullMs / 5), durationMs: fullMs };
}
