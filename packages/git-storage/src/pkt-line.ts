/** Git pkt-line framing (gitprotocol-common): 4 hex digits of length (header included), then data. */

export const FLUSH = Buffer.from('0000');

export function pktLine(data: string | Uint8Array): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  if (body.length > 65516) throw new RangeError(`pkt-line payload of ${body.length} bytes exceeds 65516`);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

/** Wraps `data` in side-band packets of channel `band` (1 data, 2 progress, 3 error). */
export function sideBand(band: 1 | 2 | 3, data: Buffer, max = 65515): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += max) out.push(pktLine(Buffer.concat([Buffer.from([band]), data.subarray(i, i + max)])));
  return out;
}

/** Result of reading the pkt-lines up to the first flush at the start of a buffer. */
export interface PktSection {
  /** Payloads of the lines (flush excluded). */
  lines: Buffer[];
  /** Bytes consumed, flush included. */
  consumed: number;
}

/**
 * Parses pkt-lines from the start of `buf` up to and including the first flush. Returns null when
 * `buf` does not yet hold the whole section. @throws Error on a malformed length
 */
export function readPktSection(buf: Buffer): PktSection | null {
  const lines: Buffer[] = [];
  let pos = 0;
  for (;;) {
    if (buf.length < pos + 4) return null;
    const hex = buf.subarray(pos, pos + 4).toString('latin1');
    if (!/^[0-9a-f]{4}$/.test(hex)) throw new Error(`malformed pkt-line length ${JSON.stringify(hex)}`);
    const len = parseInt(hex, 16);
    if (len === 0) return { lines, consumed: pos + 4 };
    if (len < 4) throw new Error(`malformed pkt-line length ${len}`);
    if (buf.length < pos + len) return null;
    lines.push(buf.subarray(pos + 4, pos + len));
    pos += len;
  }
}
