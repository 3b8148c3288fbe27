/**
 * Status codes for the artifact routes: artifact errors carry theirs; blob range errors are 416;
 * other typed errors follow the HTTP surface's mapping. Body: `{"success": false, "detail"}`.
 */
import type { Response } from 'express';
import { isArtifactError } from '@hypha/artifacts';
import { BlobRangeError, isBlobStoreError } from '@hypha/storage';
import { detailOf, statusOf } from '../http/http-errors.js';
import type { HttpLog } from '../http/surface-deps.js';

export function sendArtifactError(res: Response, err: unknown, log: HttpLog): void {
  let status = statusOf(err);
  let detail = detailOf(err);
  if (isArtifactError(err)) {
    status = err.status;
    detail = `${err.name}: ${err.message}`;
  } else if (err instanceof BlobRangeError) {
    status = 416;
    res.setHeader('Content-Range', `bytes */${err.size}`);
  } else if (isBlobStoreError(err, 'INVALID_KEY') || isBlobStoreError(err, 'INVALID_ARGUMENT') || isBlobStoreError(err, 'SIZE_MISMATCH') || isBlobStoreError(err, 'MULTIPART')) {
    status = 400;
  } else if (isBlobStoreError(err, 'NOT_FOUND')) {
    status = 404;
  }
  if (status >= 500) log('error', 'artifact request failed', { status, error: String(err) });
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  res.status(status).json({ success: false, detail });
}
