/**
 * Reading inside a zip blob without downloading it: the central directory from the tail (zip64
 * too), then one member by a range read, inflated when it is deflated. Backs the
 * `/{ws}/artifacts/{alias}/zip-files/{zip}/~/{path}` route.
 */
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { BlobStore } from '@hypha/storage';
import { readAll } from './blob-util.js';
import { invalid, notFound } from './errors.js';

export interface ZipMember {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Seconds since the epoch (the DOS time stamp, read as local time). */
  lastModified: number;
  isDir: boolean;
}

async function range(store: BlobStore, key: string, start: number, end: number): Promise<Buffer> {
  return readAll((await store.get(key, { range: { start, end } })).body);
}

function dosToSeconds(time: number, date: number): number {
  const d = new Date(1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2);
  return d.getTime() / 1000;
}

/** The members of the zip stored at `key` (`size` bytes). */
export async function readZipIndex(store: BlobStore, key: string, size: number): Promise<ZipMember[]> {
  const tailStart = Math.max(0, size - (65_535 + 22 + 20));
  const tail = await range(store, key, tailStart, size - 1);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw invalid(`Invalid ZIP file: ${key} has no end of central directory`);
  let count = tail.readUInt16LE(eocd + 10);
  let dirSize = tail.readUInt32LE(eocd + 12);
  let dirOffset = tail.readUInt32LE(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && tail.readUInt32LE(locator) === 0x07064b50) {
    const z64Offset = Number(tail.readBigUInt64LE(locator + 8));
    const z64 = await range(store, key, z64Offset, z64Offset + 55);
    if (z64.readUInt32LE(0) !== 0x06064b50) throw invalid(`Invalid ZIP file: ${key} has a broken zip64 record`);
    count = Number(z64.readBigUInt64LE(32));
    dirSize = Number(z64.readBigUInt64LE(40));
    dirOffset = Number(z64.readBigUInt64LE(48));
  }
  const dir = dirSize > 0 ? await range(store, key, dirOffset, dirOffset + dirSize - 1) : Buffer.alloc(0);
  const members: ZipMember[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (dir.readUInt32LE(p) !== 0x02014b50) throw invalid(`Invalid ZIP file: ${key} has a broken central directory`);
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    const name = dir.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    let compressedSize = dir.readUInt32LE(p + 20);
    let uncompressed = dir.readUInt32LE(p + 24);
    let localOffset = dir.readUInt32LE(p + 42);
    // zip64 extra field: the values stored as 0xffffffff, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = dir.readUInt16LE(e);
      const len = dir.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressed === 0xffffffff) (uncompressed = Number(dir.readBigUInt64LE(q))), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = Number(dir.readBigUInt64LE(q))), (q += 8);
        if (localOffset === 0xffffffff) localOffset = Number(dir.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    members.push({
      name,
      method: dir.readUInt16LE(p + 10),
      compressedSize,
      size: uncompressed,
      localOffset,
      lastModified: dosToSeconds(dir.readUInt16LE(p + 12), dir.readUInt16LE(p + 14)),
      isDir: name.endsWith('/'),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** The listing of `path` (`''` or ending in `/`) inside the zip, as the reference returns it. */
export function listZipDirectory(members: readonly ZipMember[], path: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const dirs = new Set<string>();
  for (const m of members) {
    if (path && (!m.name.startsWith(path) || m.name === path)) continue;
    const rel = m.name.slice(path.length).replace(/^\/+|\/+$/g, '');
    if (!rel) continue;
    if (rel.includes('/') || (m.isDir && !path)) {
      const top = rel.split('/')[0]!;
      if (!dirs.has(top)) {
        dirs.add(top);
        out.push({ type: 'directory', name: top });
      }
    } else if (!m.isDir) {
      out.push({ type: 'file', name: rel, size: m.size, last_modified: m.lastModified });
    }
  }
  return out;
}

/** A stream of one member's bytes. */
export async function openZipMember(store: BlobStore, key: string, member: ZipMember): Promise<Readable> {
  if (member.method !== 0 && member.method !== 8) throw invalid(`Unsupported compression method ${member.method} for ${member.name}`);
  const header = await range(store, key, member.localOffset, member.localOffset + 29);
  if (header.readUInt32LE(0) !== 0x04034b50) throw invalid(`Invalid ZIP file: no local header for ${member.name}`);
  const start = member.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (member.compressedSize === 0) return Readable.from([]);
  const { body } = await store.get(key, { range: { start, end: start + member.compressedSize - 1 } });
  return member.method === 0 ? body : body.pipe(createInflateRaw());
}

export function findZipMember(members: readonly ZipMember[], path: string): ZipMember {
  const m = members.find((x) => x.name === path);
  if (!m) throw notFound(`File not found inside ZIP: ${path}`);
  return m;
}
