/** Finds where the first msgpack object of a buffer ends, without decoding it. */

function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}
function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** Returns the offset just past the msgpack object that starts at `start`. */
export function msgpackEnd(b: Uint8Array, start = 0): number {
  let pos = start;
  let remaining = 1; // objects still to skip
  while (remaining > 0) {
    if (pos >= b.length) throw new Error(`msgpackEnd: truncated frame at byte ${pos}`);
    const t = b[pos++];
    remaining--;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) continue;
    if (t >= 0x80 && t <= 0x8f) { remaining += 2 * (t & 0x0f); continue; }
    if (t >= 0x90 && t <= 0x9f) { remaining += t & 0x0f; continue; }
    if (t >= 0xa0 && t <= 0xbf) { pos += t & 0x1f; continue; }
    switch (t) {
      case 0xc4: case 0xd9: pos += 1 + b[pos]; break;
      case 0xc5: case 0xda: pos += 2 + u16(b, pos); break;
      case 0xc6: case 0xdb: pos += 4 + u32(b, pos); break;
      case 0xc7: pos += 2 + b[pos]; break;
      case 0xc8: pos += 3 + u16(b, pos); break;
      case 0xc9: pos += 5 + u32(b, pos); break;
      case 0xcc: case 0xd0: pos += 1; break;
      case 0xcd: case 0xd1: pos += 2; break;
      case 0xca: case 0xce: case 0xd2: pos += 4; break;
      case 0xcb: case 0xcf: case 0xd3: pos += 8; break;
      case 0xd4: pos += 2; break;
      case 0xd5: pos += 3; break;
      case 0xd6: pos += 5; break;
      case 0xd7: pos += 9; break;
      case 0xd8: pos += 17; break;
      case 0xdc: remaining += u16(b, pos); pos += 2; break;
      case 0xdd: remaining += u32(b, pos); pos += 4; break;
      case 0xde: remaining += 2 * u16(b, pos); pos += 2; break;
      case 0xdf: remaining += 2 * u32(b, pos); pos += 4; break;
      default: throw new Error(`msgpackEnd: invalid type byte 0x${t.toString(16)} at ${pos - 1}`);
    }
  }
  if (pos > b.length) throw new Error(`msgpackEnd: truncated frame (object ends at ${pos}, length ${b.length})`);
  return pos;
}
