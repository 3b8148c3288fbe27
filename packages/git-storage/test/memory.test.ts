import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitFixture, gitOk, type GitFixture } from './fixtures.js';

// A clone streams the pack from `git upload-pack` to the socket: the server (this process)
// grows by far less than the pack it serves. 72 MiB of incompressible data make any buffering of
// the pack (or of the request) show up above the 64 MiB bound.

const SIZE = 72 * 1024 * 1024;
const BOUND = 64 * 1024 * 1024;

describe('memory', { timeout: 240_000 }, () => {
  let f: GitFixture;
  beforeAll(async () => {
    f = await gitFixture('fs');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('clones a repository much larger than the RSS growth bound', async () => {
    const src = join(f.tmp, 'big-src');
    await mkdir(src);
    await gitOk(['init', '-q', '-b', 'main'], src);
    for (let i = 0; i < 6; i++) await writeFile(join(src, `blob-${i}.bin`), randomBytes(SIZE / 6));
    await gitOk(['add', '.'], src);
    await gitOk(['commit', '-q', '-m', 'big'], src);
    await gitOk(['-c', 'core.compression=0', 'push', '-q', f.url('big'), 'main:main'], src);

    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      await gitOk(['clone', '-q', '--bare', f.url('big'), join(f.tmp, 'big-dst.git')]);
    } finally {
      clearInterval(timer);
    }
    const packs = (await stat(join(f.tmp, 'big-dst.git', 'objects'))).isDirectory();
    expect(packs).toBe(true);
    expect(peak - before).toBeLessThan(BOUND);
  });
});
