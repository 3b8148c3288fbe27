/**
 * `pnpm bench [--quick] [--only 1,3] [--out <file>] [--cpu-prof]`: runs the benchmarks, prints
 * the table of floors and our figures, and writes the JSON results (full run:
 * results/latest.json; quick run: results/quick.json) and the same table as Markdown next to it
 * (`.md`). `--cpu-prof` makes every child process write a V8 CPU profile to results/profiles/.
 * Exits 1 if any of our figures failed (as opposed to "not available").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchmarks } from './benchmarks/index.js';
import { benchRoot, CPU_PROF_ENV } from './harness/child.js';
import { machineInfo } from './harness/machine.js';
import { evaluateRow, markdownMachine, markdownTable, resultsDocument } from './harness/report.js';
import type { BenchReport } from './harness/types.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const quick = values.quick ?? false;
const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
if (only) {
  const unknown = [...only].filter((id) => !benchmarks.some((b) => b.id === id));
  if (unknown.length > 0) throw new Error(`--only: unknown benchmark id(s) ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.id).join(', ')}`);
}
if (values['cpu-prof']) {
  const dir = resolve(benchRoot, 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  process.env[CPU_PROF_ENV] = dir;
  process.stderr.write(`bench: server child processes write CPU profiles to ${dir}\n`);
}
const out = resolve(values.out ?? resolve(benchRoot, 'results', quick ? 'quick.json' : 'latest.json'));

const startedAt = new Date();
const reports: BenchReport[] = [];
for (const bench of benchmarks) {
  if (only && !only.has(bench.id)) continue;
  const t0 = performance.now();
  process.stderr.write(`bench ${bench.id}: ${bench.title}…`);
  const report = await bench.run({ quick, srcDir: resolve(benchRoot, 'src') });
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  reports.push(report);
}
const doc = resultsDocument(reports, { startedAt, finishedAt: new Date(), quick, machine: machineInfo() });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);

const markdown = [markdownTable(reports), '', ...reports.flatMap((r) => r.notes.map((note) => `- ${r.id}. ${note}`)), ''].join('\n');
const mdOut = out.replace(/\.json$/, '') + '.md';
writeFileSync(mdOut, `${markdownMachine(doc.machine, doc.startedAt, quick)}\n\n${markdown}`);
process.stdout.write(`${markdown}\nJSON: ${out}\nMarkdown: ${mdOut}\n`);

const failed = reports.flatMap((r) => r.rows.map((row) => evaluateRow(r.id, row))).filter((row) => row.status === 'failed');
if (failed.length > 0) {
  process.stderr.write(`bench: ${failed.length} figure(s) failed: ${failed.map((f) => `${f.bench} ${f.metric} (${f.oursLabel})`).join('; ')}\n`);
  process.exitCode = 1;
}
