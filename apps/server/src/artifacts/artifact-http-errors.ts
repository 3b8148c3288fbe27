/**
 * Error answers of the artifact routes: the status comes from the one map (`statusOf`); a range
 * error also says the blob's size. Body: `{"success": false, "detail"}`.
 */
import type { Response } from 'express';
import { BlobRangeError } from '@hypha/storage';
import { detailOf, statusOf } from '../http/http-errors.js';
import type { HttpLog } from '../http/surface-deps.js';

export function sendArtifactError(res: Response, err: unknown, log: HttpLog): void {
  const status = statusOf(err);
  const detail = detailOf(err);
  if (err instanceof BlobRangeError) res.setHeader('Content-Range', `bytes */${err.size}`);
  if (status >= 500) log('error', 'artifact request failed', { status, error: String(err) });
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  res.status(status).json({ success: false, detail });
}
