/** What the HTTP surface's route modules share. */
import type { AuthService } from '@hypha/auth';
import type { HyphaCore } from '@hypha/workspace';
import type { HttpCallerPool } from './http-caller-pool.js';
import type { HttpMetrics } from './metrics.js';

export type HttpLog = (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;

export interface HttpSurfaceDeps {
  core: HyphaCore;
  auth: AuthService;
  /** `--base-path` without a trailing slash (`""` for the root). */
  basePath: string;
  /** Largest request body read whole (service calls, functions apps), in bytes. */
  bodyLimit: number;
  /** Seconds an HTTP service call may take before answering 504. */
  callTimeout: number;
  metrics: HttpMetrics;
  /** Long-lived caller peers (and their cached service descriptions) for `/{ws}/services/*`. */
  callers: HttpCallerPool;
  log: HttpLog;
}

/** Workspace names as the reference allows them in URLs. */
export const WORKSPACE_RE = /^[a-zA-Z0-9\-_|]+$/;
