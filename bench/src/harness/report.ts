/** Turns benchmark reports into evaluated rows, a Markdown table and the JSON document. */
import { isMeasured, type BenchReport, type Figure, type Row, type Target } from './types.js';

export type Status = 'met' | 'missed' | 'not available' | 'failed' | 'no target';

export interface EvaluatedRow {
  bench: string;
  metric: string;
  unit: string;
  floorLabel: string | null;
  floor: number | null;
  oursLabel: string;
  ours: number | null;
  oursUnavailable: string | null;
  /** ours / floor, when both were measured. */
  ratio: number | null;
  target: string | null;
  status: Status;
}

export function describeTarget(target: Target, unit: string): string {
  switch (target.kind) {
    case 'ratio-max':
      return `≤ ${target.value}× floor`;
    case 'ratio-min':
      return `≥ ${target.value * 100}% of floor`;
    case 'max':
      return `≤ ${formatValue(target.value, unit)} ${unit}`;
    case 'min':
      return `≥ ${formatValue(target.value, unit)} ${unit}`;
  }
}

function targetMet(target: Target, ours: number, ratio: number | null): boolean | null {
  switch (target.kind) {
    case 'ratio-max':
      return ratio === null ? null : ratio <= target.value;
    case 'ratio-min':
      return ratio === null ? null : ratio >= target.value;
    case 'max':
      return ours <= target.value;
    case 'min':
      return ours >= target.value;
  }
}

export function evaluateRow(bench: string, row: Row): EvaluatedRow {
  const floor = isMeasured(row.floor) ? row.floor.value : null;
  const ours = isMeasured(row.ours) ? row.ours.value : null;
  const ratio = floor !== null && ours !== null && floor !== 0 ? ours / floor : null;
  let status: Status = 'no target';
  if (!isMeasured(row.ours)) status = row.ours.failed ? 'failed' : 'not available';
  else if (row.target && ours !== null) {
    const met = targetMet(row.target, ours, ratio);
    status = met === null ? 'not available' : met ? 'met' : 'missed';
  }
  return {
    bench,
    metric: row.metric,
    unit: row.unit,
    floorLabel: row.floor?.label ?? null,
    floor,
    oursLabel: row.ours.label,
    ours,
    oursUnavailable: isMeasured(row.ours) ? null : row.ours.unavailable,
    ratio,
    target: row.target ? describeTarget(row.target, row.unit) : null,
    status,
  };
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: unit === '' ? 0 : 0 });
}

function cell(label: string | null, figure: Figure | null, unit: string): string {
  if (figure === null) return '—';
  if (!isMeasured(figure)) return `${label}: ${figure.failed ? 'FAILED' : 'not available'}: ${figure.unavailable}`;
  return `${label}: **${formatValue(figure.value, unit)}** ${unit}`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(reports: BenchReport[]): string {
  const lines = [
    '| Benchmark | Metric | Floor | Ours | Ours / floor | Target | Result |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const report of reports) {
    for (const row of report.rows) {
      const e = evaluateRow(report.id, row);
      const ratio = e.ratio === null ? '—' : `${e.ratio.toFixed(2)}×`;
      lines.push(
        `| ${escape(`${report.id}. ${report.title}`)} | ${escape(row.metric)} | ${escape(cell(e.floorLabel, row.floor, row.unit))} | ${escape(
          cell(e.oursLabel, row.ours, row.unit),
        )} | ${ratio} | ${e.target ?? '—'} | ${e.status === 'missed' || e.status === 'failed' ? `**${e.status}**` : e.status} |`,
      );
    }
  }
  return lines.join('\n');
}

export interface ResultsDocument {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: MachineInfo;
  benchmarks: Array<{ id: string; title: string; notes: string[]; rows: EvaluatedRow[] }>;
}

export interface MachineInfo {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
}

export function resultsDocument(
  reports: BenchReport[],
  meta: { startedAt: Date; finishedAt: Date; quick: boolean; machine: MachineInfo },
): ResultsDocument {
  return {
    startedAt: meta.startedAt.toISOString(),
    finishedAt: meta.finishedAt.toISOString(),
    quick: meta.quick,
    machine: meta.machine,
    benchmarks: reports.map((r) => ({ id: r.id, title: r.title, notes: r.notes, rows: r.rows.map((row) => evaluateRow(r.id, row)) })),
  };
}

export function markdownMachine(machine: MachineInfo, startedAt: string, quick: boolean): string {
  const gib = (machine.totalMemoryBytes / 1024 ** 3).toFixed(1);
  return `Run ${startedAt}${quick ? ' (--quick: short runs, small sizes; not for comparison)' : ''} on ${machine.cpus} × ${machine.cpuModel}, ${gib} GiB RAM, ${machine.platform}, Node ${machine.node}.`;
}
