/**
 * Error answers of the HTTP surface: the status comes from `error-status.ts` (the one map), the
 * body is the reference's `{"success": false, "detail": "<msg>"}`.
 */
import type { Response } from 'express';
import { HttpError, statusOf } from './error-status.js';

export { HttpError, statusOf };

export const badRequest = (msg: string, cause?: unknown) => new HttpError(400, msg, { cause });
export const notFound = (msg: string) => new HttpError(404, msg);

/** `"<ErrorName>: <message>"`, the reference's sanitised detail (no stack). */
export function detailOf(err: unknown): string {
  if (err instanceof HttpError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export function sendError(res: Response, err: unknown, log?: (err: unknown, status: number) => void): void {
  const status = statusOf(err);
  if (status >= 500) log?.(err, status);
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  res.status(status).json({ success: false, detail: detailOf(err) });
}
