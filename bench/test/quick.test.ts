/**
 * Runs `pnpm bench --quick` end to end so the benchmark code keeps working. It checks the shape
 * of the results, never a timing: every floor is measured, and each of our figures is either
 * measured or says why it is not available; none failed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../src/harness/report.js';

const benchRoot = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'hypha-bench-quick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm bench --quick', () => {
  it('runs every benchmark and writes a table and JSON with floors and our figures', async () => {
    const out = join(dir, 'quick.json');
    // Asynchronous on purpose: a blocking spawn would starve vitest's worker channel.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['--conditions=@hypha/source', '--import', 'tsx', 'src/run.ts', '--quick', '--out', out],
        { cwd: benchRoot, encoding: 'utf8', timeout: 280_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => done({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
    expect(run.stderr).not.toMatch(/figure\(s\) failed/);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('| Benchmark | Metric | Floor | Ours |');

    const doc = JSON.parse(readFileSync(out, 'utf8')) as ResultsDocument;
    expect(doc.quick).toBe(true);
    expect(doc.benchmarks.map((b) => b.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    for (const bench of doc.benchmarks) {
      expect(bench.rows.length).toBeGreaterThan(0);
      for (const row of bench.rows) {
        const where = `${bench.id} ${row.metric} (${row.oursLabel})`;
        expect(row.status, where).not.toBe('failed');
        // Floors are always measured (a memory delta may be negative at quick-mode sizes); the
        // cluster's one-instance baseline is our own server and may be unavailable.
        if (!row.floorLabel?.startsWith('our server')) expect(Number.isFinite(row.floor), where).toBe(true);
        if (row.ours === null) expect(row.oursUnavailable, where).toMatch(/\S/);
        else expect(Number.isFinite(row.ours), where).toBe(true);
      }
    }
  }, 300_000);
});
