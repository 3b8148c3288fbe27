/** Query-string parsing for the artifact routes (booleans, integers, JSON filters). */
import type { Request } from 'express';
import { ArtifactError } from '@hypha/artifacts';

const bad = (msg: string) => new ArtifactError('INVALID_INPUT', msg);

export function qString(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`Query parameter ${name} must be given once`);
  return v;
}

export function qBool(req: Request, name: string): boolean | undefined {
  const v = qString(req, name);
  if (v === undefined || v === '') return undefined;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw bad(`Query parameter ${name} must be true or false`);
}

export function qInt(req: Request, name: string): number | undefined {
  const v = qString(req, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw bad(`Query parameter ${name} must be an integer`);
  return n;
}

export function qNumber(req: Request, name: string): number | undefined {
  const v = qString(req, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw bad(`Query parameter ${name} must be a number`);
  return n;
}

/** `stage=false|true|all`. */
export function qStage(req: Request): boolean | 'all' | undefined {
  const v = qString(req, 'stage');
  if (v === 'all') return 'all';
  return qBool(req, 'stage');
}

/** `use_local_url=true|false|<base URL>`. */
export function qLocalUrl(req: Request): boolean | string | undefined {
  const v = qString(req, 'use_local_url');
  if (v === undefined || v === '') return undefined;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  return v;
}

export function qJson(req: Request, name: string): unknown {
  const v = qString(req, name);
  if (v === undefined || v === '') return undefined;
  try {
    return JSON.parse(v);
  } catch (err) {
    throw new ArtifactError('INVALID_INPUT', `Query parameter ${name} must be JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Repeated `file=` parameters. */
export function qList(req: Request, name: string): string[] | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string')) throw bad(`Query parameter ${name} must be strings`);
  return list as string[];
}
