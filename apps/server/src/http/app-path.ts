/** Validation of the `{path}` part of `/{ws}/apps/{service_id}/{path}`. */
import { badRequest } from './http-errors.js';

/** The decoded path segments; rejects `.`/`..`, separators and control characters inside a segment. */
export function appPathSegments(raw: string[] | string | undefined): string[] {
  const parts = raw === undefined ? [] : Array.isArray(raw) ? raw : raw.split('/');
  const segments = parts.filter((p) => p !== '');
  for (const s of segments) {
    if (s === '.' || s === '..' || /[/\\\0-\x1f]/.test(s)) {
      throw badRequest(`Invalid app path: segment ${JSON.stringify(s)} is not allowed`);
    }
  }
  return segments;
}
