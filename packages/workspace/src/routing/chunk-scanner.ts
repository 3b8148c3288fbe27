/**
 * Reads a chunked message (hypha-rpc's `message_cache`) as its chunks pass through the router,
 * without holding them: an incremental msgpack walker that only keeps the nesting counts of the
 * value it is in. It looks for what {@link segment2Problem} looks for in ordinary frames: a
 * routing key (`from`, `to`, `ws`, `user`, `ctx`) among the top-level keys of the second value,
 * which the receiving client merges over the stamped header once it reassembles the message.
 *
 * Values are skipped by length, so a chunk costs one pass over its container headers, not a copy.
 */
import { TRUSTED_KEYS } from './segment-guard.js';

const TRUSTED_BYTES = TRUSTED_KEYS.map((k) => new TextEncoder().encode(k));
const LONGEST_TRUSTED = Math.max(...TRUSTED_BYTES.map((k) => k.length));

/** Deeper nesting than this is refused (receivers could not decode it either). */
export const MAX_CHUNKED_DEPTH = 10_000;

type HeaderKind = 'bin' | 'ext' | 'str' | 'array' | 'map';

export class ChunkScanner {
  /** Top-level values read completely so far (only the first two matter). */
  private values = 0;
  /** Children still to read in each open container, outermost first. */
  private readonly remaining: number[] = [];
  private readonly isMap: boolean[] = [];
  /** Payload bytes to pass over. */
  private skip = 0;
  /** Length bytes of the current element still to read, and what they belong to. */
  private headerNeed = 0;
  private headerKind: HeaderKind = 'bin';
  private header = 0;
  private headerExtra = 0;
  /** Whether the current element is a top-level key of the second value. */
  private currentIsKey = false;
  /** Bytes of a short top-level key being collected. */
  private keyBytes: number[] | null = null;
  private keyNeed = 0;
  private problem: string | null = null;

  /** Whether the second value has been read completely (nothing after it matters). */
  get finished(): boolean {
    return this.values >= 2;
  }

  /** Bytes read so far. */
  private offset = 0;

  /** Reads the next chunk; returns why the message must not be delivered, or null. */
  feed(chunk: Uint8Array): string | null {
    let i = 0;
    const n = chunk.length;
    while (i < n && this.problem === null && this.values < 2) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, n - i);
        this.skip -= step;
        i += step;
        if (this.skip === 0) this.endElement();
      } else if (this.keyNeed > 0) {
        this.keyBytes!.push(chunk[i++]!);
        if (--this.keyNeed === 0) this.endKey();
      } else if (this.headerNeed > 0) {
        this.header = this.header * 256 + chunk[i++]!;
        if (--this.headerNeed === 0) this.endHeader();
      } else {
        this.startElement(chunk[i]!, this.offset + i);
        i++;
      }
    }
    this.offset += n;
    return this.problem;
  }

  private atTopLevelKey(): boolean {
    return this.values === 1 && this.remaining.length === 1 && this.isMap[0]! && this.remaining[0]! % 2 === 0;
  }

  private startElement(tag: number, at: number): void {
    this.currentIsKey = this.atTopLevelKey();
    if (tag <= 0x7f || tag >= 0xe0 || tag === 0xc0 || tag === 0xc2 || tag === 0xc3) return this.endElement();
    if (tag <= 0x8f) return this.open(tag & 0x0f, true);
    if (tag <= 0x9f) return this.open(tag & 0x0f, false);
    if (tag <= 0xbf) return this.payload(tag & 0x1f, true);
    switch (tag) {
      case 0xc4: return this.lengthBytes(1, 'bin');
      case 0xc5: return this.lengthBytes(2, 'bin');
      case 0xc6: return this.lengthBytes(4, 'bin');
      case 0xc7: return this.lengthBytes(1, 'ext');
      case 0xc8: return this.lengthBytes(2, 'ext');
      case 0xc9: return this.lengthBytes(4, 'ext');
      case 0xca: case 0xce: case 0xd2: return this.payload(4, false);
      case 0xcb: case 0xcf: case 0xd3: return this.payload(8, false);
      case 0xcc: case 0xd0: return this.payload(1, false);
      case 0xcd: case 0xd1: return this.payload(2, false);
      case 0xd4: return this.payload(2, false);
      case 0xd5: return this.payload(3, false);
      case 0xd6: return this.payload(5, false);
      case 0xd7: return this.payload(9, false);
      case 0xd8: return this.payload(17, false);
      case 0xd9: return this.lengthBytes(1, 'str');
      case 0xda: return this.lengthBytes(2, 'str');
      case 0xdb: return this.lengthBytes(4, 'str');
      case 0xdc: return this.lengthBytes(2, 'array');
      case 0xdd: return this.lengthBytes(4, 'array');
      case 0xde: return this.lengthBytes(2, 'map');
      case 0xdf: return this.lengthBytes(4, 'map');
      default:
        this.problem = `the chunked message is not valid msgpack (byte 0x${tag.toString(16)} at offset ${at})`;
    }
  }

  private lengthBytes(count: number, kind: HeaderKind): void {
    this.headerNeed = count;
    this.headerKind = kind;
    this.header = 0;
    // an ext carries a type byte after its length
    this.headerExtra = kind === 'ext' ? 1 : 0;
  }

  private endHeader(): void {
    const value = this.header;
    switch (this.headerKind) {
      case 'bin':
        return this.payload(value, false);
      case 'ext':
        return this.payload(value + this.headerExtra, false);
      case 'str':
        return this.payload(value, true);
      case 'array':
        return this.open(value, false);
      case 'map':
        return this.open(value, true);
    }
  }

  private payload(length: number, isString: boolean): void {
    if (this.currentIsKey && isString && length <= LONGEST_TRUSTED) {
      if (length === 0) return this.endElement();
      this.keyBytes = [];
      this.keyNeed = length;
      return;
    }
    if (length === 0) return this.endElement();
    this.skip = length;
  }

  private endKey(): void {
    const bytes = this.keyBytes!;
    this.keyBytes = null;
    for (let k = 0; k < TRUSTED_BYTES.length; k++) {
      const key = TRUSTED_BYTES[k]!;
      if (key.length === bytes.length && key.every((b, j) => b === bytes[j])) {
        this.problem = `the chunked message carries the routing key '${TRUSTED_KEYS[k]}' in segment 2; routing keys are set by the server in segment 1 only`;
        return;
      }
    }
    this.endElement();
  }

  private open(count: number, isMap: boolean): void {
    const children = isMap ? count * 2 : count;
    if (children === 0) return this.endElement();
    if (this.remaining.length >= MAX_CHUNKED_DEPTH) {
      this.problem = `the chunked message is nested deeper than ${MAX_CHUNKED_DEPTH} levels`;
      return;
    }
    this.remaining.push(children);
    this.isMap.push(isMap);
  }

  /** One element is complete: count it against its container, closing containers that are full. */
  private endElement(): void {
    for (;;) {
      const top = this.remaining.length - 1;
      if (top < 0) {
        this.values++;
        return;
      }
      if (--this.remaining[top]! > 0) return;
      this.remaining.pop();
      this.isMap.pop();
    }
  }
}
