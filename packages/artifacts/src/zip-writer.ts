/**
 * A streamed zip of blobs whose length is known before the first byte: entries are stored (no
 * compression) with a data descriptor after each one, so the archive is the sum of fixed-size
 * headers and the blobs' sizes. Used when no entry needs zip64; `zipLength` says when.
 *
 * Each member costs 94 + 2 * name bytes besides its data, the same as the reference's
 * NO_COMPRESSION_32 archives (whose members carry 9-byte timestamp extras in both headers and
 * no descriptor), so clients that predict the length from the file list get it right. Here the
 * CRC is not known before the data, so the 18 bytes are a 12-byte data descriptor (without the
 * optional signature) and a 6-byte alignment extra (0xd935, alignment 1: no padding) in the
 * local header, which readers skip.
 */
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { BlobStore } from '@hypha/storage';

export interface SizedZipEntry {
  /** Path inside the zip. */
  name: string;
  /** Blob key. */
  key: string;
  /** Bytes of the blob, as listed. */
  size: number;
}

const LIMIT = 0xffffffff;
const FLAGS = 0x0808; // bit 3: sizes and CRC follow the data; bit 11: UTF-8 names
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const DESCRIPTOR = 12;
/** Extra field of the local header: id 0xd935 (alignment), 2 bytes of data, alignment 1. */
const LOCAL_EXTRA = Buffer.from([0x35, 0xd9, 0x02, 0x00, 0x01, 0x00]);

/** Bytes of a member's local record (header, name, extra, data, descriptor). */
function localRecord(nameBytes: number, size: number): number {
  return LOCAL_HEADER + nameBytes + LOCAL_EXTRA.length + size + DESCRIPTOR;
}

/** The archive's exact length, or null when it would need zip64 (then use `createZipStream`). */
export function zipLength(entries: readonly SizedZipEntry[]): number | null {
  if (entries.length >= 0xffff) return null;
  let offset = 0;
  let central = 0;
  for (const e of entries) {
    const name = Buffer.byteLength(e.name);
    if (e.size >= LIMIT || offset >= LIMIT) return null;
    offset += localRecord(name, e.size);
    central += CENTRAL_HEADER + name;
  }
  if (offset >= LIMIT || offset + central >= LIMIT) return null;
  return offset + central + 22;
}

function dosDateTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((Math.max(d.getFullYear(), 1980) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** Streams the archive of `entries`; a blob whose size changed since listing fails the stream. */
export function createSizedZipStream(store: BlobStore, entries: readonly SizedZipEntry[]): Readable {
  const { time, date } = dosDateTime(new Date());
  async function* generate(): AsyncGenerator<Buffer> {
    const central: Buffer[] = [];
    let offset = 0;
    for (const e of entries) {
      const name = Buffer.from(e.name, 'utf8');
      const local = Buffer.alloc(LOCAL_HEADER);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(FLAGS, 6);
      local.writeUInt16LE(0, 8);
      local.writeUInt16LE(time, 10);
      local.writeUInt16LE(date, 12);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(LOCAL_EXTRA.length, 28);
      yield Buffer.concat([local, name, LOCAL_EXTRA]);
      let crc = 0;
      let size = 0;
      const { body } = await store.get(e.key);
      for await (const chunk of body) {
        const buf = Buffer.from(chunk);
        crc = crc32(buf, crc);
        size += buf.length;
        yield buf;
      }
      if (size !== e.size) throw new Error(`File ${e.name} changed while the zip was being written (${e.size} bytes listed, ${size} read)`);
      const descriptor = Buffer.alloc(DESCRIPTOR);
      descriptor.writeUInt32LE(crc >>> 0, 0);
      descriptor.writeUInt32LE(size, 4);
      descriptor.writeUInt32LE(size, 8);
      yield descriptor;
      const header = Buffer.alloc(CENTRAL_HEADER);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(20, 4);
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(FLAGS, 8);
      header.writeUInt16LE(0, 10);
      header.writeUInt16LE(time, 12);
      header.writeUInt16LE(date, 14);
      header.writeUInt32LE(crc >>> 0, 16);
      header.writeUInt32LE(size, 20);
      header.writeUInt32LE(size, 24);
      header.writeUInt16LE(name.length, 28);
      header.writeUInt32LE(0x81800000, 38); // external attributes: regular file, rw-------
      header.writeUInt32LE(offset, 42);
      central.push(header, name);
      offset += localRecord(name.length, size);
    }
    const dir = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(offset, 16);
    yield dir;
    yield end;
  }
  return Readable.from(generate());
}
