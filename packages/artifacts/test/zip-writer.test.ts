import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsBlobStore } from '@hypha/storage';
import type { FsBlobStore } from '@hypha/storage';
import { createSizedZipStream, zipLength } from '../src/zip-writer.js';

// The exact length of a create-zip-file download, as clients compute it from the file list: the
// reference's NO_COMPRESSION_32 layout costs 22 bytes plus 94 + 2 * name bytes per member.

let dir: string;
let store: FsBlobStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-writer-'));
  store = await createFsBlobStore({ root: join(dir, 'store') });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

describe('sized zip stream', () => {
  it('is 22 + sum(size + 94 + 2 * utf-8 name bytes) long, and a standard reader extracts every member', async () => {
    const files: Record<string, Buffer> = {
      'large_random.bin': randomBytes(300_000),
      'tiny.txt': Buffer.from('x'),
      'empty.txt': Buffer.alloc(0),
      'dir/ünïcödé name.dat': Buffer.from('ABCDEFGHIJ'.repeat(1000)),
    };
    const entries = [];
    for (const [name, body] of Object.entries(files)) {
      await store.put(`k/${entries.length}`, body);
      entries.push({ name, key: `k/${entries.length}`, size: body.length });
    }
    const formula = 22 + entries.reduce((sum, e) => sum + e.size + 94 + 2 * Buffer.byteLength(e.name), 0);
    expect(zipLength(entries)).toBe(formula);
    const zip = await collect(createSizedZipStream(store, entries));
    expect(zip.length).toBe(formula);

    // An independent reader (Python's zipfile) checks the CRCs and reads the members back.
    const path = join(dir, 'out.zip');
    await writeFile(path, zip);
    const script = [
      'import sys, zipfile, hashlib, json',
      'z = zipfile.ZipFile(sys.argv[1])',
      'bad = z.testzip()',
      'print(json.dumps({"bad": bad, "members": {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}}))',
    ].join('\n');
    const out = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as { bad: string | null; members: Record<string, string> };
    expect(out.bad).toBeNull();
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(out.members).toEqual(Object.fromEntries(Object.entries(files).map(([n, b]) => [n, sha(b)])));
  });

  it('leaves archives that would need zip64 to the unsized stream', () => {
    expect(zipLength([{ name: 'huge.bin', key: 'k', size: 0xffffffff }])).toBeNull();
    expect(zipLength([{ name: 'a', key: 'k', size: 1 }])).toBe(22 + 1 + 94 + 2);
  });
});
