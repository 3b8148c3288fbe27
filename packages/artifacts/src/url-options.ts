/**
 * `use_proxy` / `use_local_url` of `put_file`, `get_file` and `put_file_start_multipart`
 * (server-api §4.4): which URL a caller gets for a file.
 *
 * - `use_proxy=True`: a URL of the server's own file route (`/{ws}/artifacts/{alias}/files/{path}`),
 *   used with the caller's own credentials.
 * - otherwise a presigned URL of the blob store (for the filesystem store, served by the server).
 * - `use_local_url=True` swaps the public base for the server-local one (the server's local base
 *   URL, or the S3 endpoint the server itself uses); a URL string swaps it for that base.
 */
import { invalid } from './errors.js';

/** A public URL prefix of presigned URLs and the server-local prefix it stands for. */
export interface UrlBase {
  public: string;
  local: string;
}

export type LocalUrl = false | true | string;

export function parseLocalUrl(value: unknown): LocalUrl {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value)) return value.replace(/\/+$/, '');
  throw invalid(`use_local_url must be true, false or a base URL (http:// or https://), got ${JSON.stringify(value)}`);
}

export function parseUseProxy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid('use_proxy must be a boolean or None');
  return value;
}

/** Applies `use_local_url` to a presigned URL whose prefix is one of `bases`. */
export function localizeUrl(url: string, local: LocalUrl, bases: readonly UrlBase[]): string {
  if (local === false) return url;
  const base = bases.find((b) => url === b.public || url.startsWith(`${b.public.replace(/\/+$/, '')}/`));
  if (!base) return url;
  const from = base.public.replace(/\/+$/, '');
  const to = local === true ? base.local.replace(/\/+$/, '') : local;
  return to + url.slice(from.length);
}
