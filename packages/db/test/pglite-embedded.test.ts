import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/index.js';

// The embedded database is created in a child process and opened with a 16 MB buffer cache
// (issue #10 item 11: idle memory).

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hypha-db-embedded-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('the embedded database on disk', () => {
  it('is created on first open, runs with a 16 MB buffer cache and keeps its data across opens', async () => {
    const dataDir = await tempDir();
    const first = await createDatabase({ dataDir });
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
    const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(first.db);
    expect(rows[0]?.shared_buffers).toBe('16MB');
    await sql`create table kept (n int)`.execute(first.db);
    await sql`insert into kept values (42)`.execute(first.db);
    await first.close();

    const again = await createDatabase({ dataDir });
    const kept = await sql<{ n: number }>`select n from kept`.execute(again.db);
    expect(kept.rows).toEqual([{ n: 42 }]);
    await again.close();
  }, 60_000);
});
