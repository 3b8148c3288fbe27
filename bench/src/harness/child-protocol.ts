/**
 * Messages between the runner and a child process over Node's IPC channel. A child sends
 * `ready` (or `unavailable`) once, then answers each `request` with one `reply`.
 */

export type ChildInfo = Record<string, unknown>;

export interface ChildRequest {
  kind: 'request';
  id: number;
  cmd: string;
  args?: unknown;
}

export type ChildMessage =
  | { kind: 'ready'; info: ChildInfo }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };

export interface MemoryUsage {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}
