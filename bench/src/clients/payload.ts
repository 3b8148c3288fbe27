/** The 64-byte argument of the routed-call benchmarks (an ASCII string: 64 bytes in UTF-8). */
export const ARG_64B = 'x'.repeat(64);
export const ARG_64B_BYTES = new Uint8Array(64).fill(120);
