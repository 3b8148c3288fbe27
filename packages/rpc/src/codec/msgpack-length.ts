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

/**
 * Returns the offset just past the msgpack value that starts at `offset`.
 * @throws MsgpackFormatError when the value is truncated or uses the reserved byte 0xc1.
 */
export function msgpackValueEnd(bytes: Uint8Array, offset = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = offset;
  // Number of values still to skip; containers add their children to it.
  let pending = 1;
  const need = (n: number): void => {
    if (pos + n > bytes.byteLength) {
      throw new MsgpackFormatError(
        `truncated msgpack value: need ${n} byte(s) at offset ${pos}, frame has ${bytes.byteLength}`,
      );
    }
  };
  while (pending > 0) {
    pending--;
    need(1);
    const b = bytes[pos++]!;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue;
    if (b >= 0x80 && b <= 0x8f) { pending += (b & 0x0f) * 2; continue; }
    if (b >= 0x90 && b <= 0x9f) { pending += b & 0x0f; continue; }
    if (b >= 0xa0 && b <= 0xbf) { need(b & 0x1f); pos += b & 0x1f; continue; }
    let len: number;
    switch (b) {
      case 0xc4: case 0xd9: need(1); len = view.getUint8(pos); pos += 1; need(len); pos += len; break;
      case 0xc5: case 0xda: need(2); len = view.getUint16(pos); pos += 2; need(len); pos += len; break;
      case 0xc6: case 0xdb: need(4); len = view.getUint32(pos); pos += 4; need(len); pos += len; break;
      case 0xc7: need(2); len = view.getUint8(pos); pos += 2; need(len); pos += len; break;
      case 0xc8: need(3); len = view.getUint16(pos); pos += 3; need(len); pos += len; break;
      case 0xc9: need(5); len = view.getUint32(pos); pos += 5; need(len); pos += len; break;
      case 0xcc: case 0xd0: need(1); pos += 1; break;
      case 0xcd: case 0xd1: need(2); pos += 2; break;
      case 0xca: case 0xce: case 0xd2: need(4); pos += 4; break;
      case 0xcb: case 0xcf: case 0xd3: need(8); pos += 8; break;
      case 0xd4: need(2); pos += 2; break;
      case 0xd5: need(3); pos += 3; break;
      case 0xd6: need(5); pos += 5; break;
      case 0xd7: need(9); pos += 9; break;
      case 0xd8: need(17); pos += 17; break;
      case 0xdc: need(2); pending += view.getUint16(pos); pos += 2; break;
      case 0xdd: need(4); pending += view.getUint32(pos); pos += 4; break;
      case 0xde: need(2); pending += view.getUint16(pos) * 2; pos += 2; break;
      case 0xdf: need(4); pending += view.getUint32(pos) * 2; pos += 4; break;
      default:
        throw new MsgpackFormatError(`invalid msgpack type byte 0x${b.toString(16)} at offset ${pos - 1}`);
    }
  }
  return pos;
}
