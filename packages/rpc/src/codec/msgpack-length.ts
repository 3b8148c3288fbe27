/**
 * Measures one msgpack value in place, without decoding it.
 *
 * The router only needs to know where segment 1 of a frame ends; walking the type bytes is far
 * cheaper than materialising the payload, and it lets segment 2 be forwarded untouched.
 */

/** Thrown when bytes are not a complete msgpack value. */
export class MsgpackFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MsgpackFormatError';
  }
}

function truncated(need: number, pos: number, size: number): MsgpackFormatError {
  return new MsgpackFormatError(`truncated msgpack value: need ${need} byte(s) at offset ${pos}, frame has ${size}`);
}

/** Big-endian unsigned integer of `n` bytes at `pos` (bounds already checked). */
function uint(bytes: Uint8Array, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + bytes[pos + i]!;
  return v;
}

/**
 * Returns the offset just past the msgpack value that starts at `offset`.
 * @throws MsgpackFormatError when the value is truncated or uses the reserved byte 0xc1.
 */
export function msgpackValueEnd(bytes: Uint8Array, offset = 0): number {
  const size = bytes.byteLength;
  let pos = offset;
  // Number of values still to skip; containers add their children to it.
  let pending = 1;
  while (pending > 0) {
    pending--;
    if (pos >= size) throw truncated(1, pos, size);
    const b = bytes[pos++]!;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue;
    if (b <= 0x8f) {
      pending += (b & 0x0f) * 2;
      continue;
    }
    if (b <= 0x9f) {
      pending += b & 0x0f;
      continue;
    }
    // `head`: bytes after the type byte that hold the length (and the ext type byte);
    // `width`: how many of them are the big-endian length; `kind`: what the length counts.
    let head = 0;
    let width = 0;
    let kind = 0; // 0: fixed payload of `head` bytes, 1: payload bytes, 2: items, 3: key/value pairs
    if (b <= 0xbf) {
      head = b & 0x1f;
    } else {
      switch (b) {
        case 0xc4: case 0xd9: head = 1; width = 1; kind = 1; break;
        case 0xc5: case 0xda: head = 2; width = 2; kind = 1; break;
        case 0xc6: case 0xdb: head = 4; width = 4; kind = 1; break;
        case 0xc7: head = 2; width = 1; kind = 1; break;
        case 0xc8: head = 3; width = 2; kind = 1; break;
        case 0xc9: head = 5; width = 4; kind = 1; break;
        case 0xcc: case 0xd0: head = 1; break;
        case 0xcd: case 0xd1: head = 2; break;
        case 0xca: case 0xce: case 0xd2: head = 4; break;
        case 0xcb: case 0xcf: case 0xd3: head = 8; break;
        case 0xd4: head = 2; break;
        case 0xd5: head = 3; break;
        case 0xd6: head = 5; break;
        case 0xd7: head = 9; break;
        case 0xd8: head = 17; break;
        case 0xdc: head = 2; width = 2; kind = 2; break;
        case 0xdd: head = 4; width = 4; kind = 2; break;
        case 0xde: head = 2; width = 2; kind = 3; break;
        case 0xdf: head = 4; width = 4; kind = 3; break;
        default:
          throw new MsgpackFormatError(`invalid msgpack type byte 0x${b.toString(16)} at offset ${pos - 1}`);
      }
    }
    if (pos + head > size) throw truncated(head, pos, size);
    const len = width > 0 ? uint(bytes, pos, width) : 0;
    pos += head;
    if (kind === 1) {
      if (pos + len > size) throw truncated(len, pos, size);
      pos += len;
    } else if (kind === 2) {
      pending += len;
    } else if (kind === 3) {
      pending += len * 2;
    }
  }
  return pos;
}
