/** Facts about the machine a run happened on. */
import { cpus, totalmem } from 'node:os';
import type { MachineInfo } from './report.js';

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
  };
}
