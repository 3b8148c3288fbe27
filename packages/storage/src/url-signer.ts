import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignedUrlError } from './errors.js';
import { checkExpiresIn, checkKey, checkPartNumber } from './keys.js';

/** What a signed URL allows. */
export type SignedUrlOperation = 'get' | 'put' | 'part';

/** The verified content of a signed URL. */
export interface SignedUrlClaims {
  op: SignedUrlOperation;
  key: string;
  /** Expiry, epoch seconds. */
  expires: number;
  uploadId?: string;
  partNumber?: number;
}

/** Options of {@link UrlSigner}. */
export interface UrlSignerOptions {
  /** HMAC key; keep it secret and share it between instances behind one load balancer. */
  secret: string | Uint8Array;
  /** Public URL prefix under which the request handler is mounted, e.g. `https://host/fs`. */
  baseUrl: string;
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
}

const OPS: ReadonlySet<string> = new Set(['get', 'put', 'part']);

/**
 * Issues and verifies expiring URLs signed with HMAC-SHA256, so a server without S3 can hand
 * out upload and download links like presigned S3 URLs. The signature covers the operation,
 * the key, the expiry and the multipart coordinates.
 *
 * URL shape: `<baseUrl>/<url-encoded key>?op=get&expires=<epoch s>&sig=<base64url>`.
 */
export class UrlSigner {
  readonly #secret: string | Uint8Array;
  readonly #base: URL;
  readonly #now: () => number;

  constructor(options: UrlSignerOptions) {
    if (options.secret.length < 16) throw new SignedUrlError('SIGNED_URL_INVALID', 'URL signing secret must be at least 16 bytes');
    this.#secret = options.secret;
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : options.baseUrl + '/');
    this.#now = options.now ?? Date.now;
  }

  /** Path of `baseUrl` (ending with `/`): where the handler expects keys to start. */
  get basePath(): string {
    return this.#base.pathname;
  }

  /** Signs a URL for `op` on `key`, valid for `expiresIn` seconds. */
  sign(claims: { op: SignedUrlOperation; key: string; expiresIn: number; uploadId?: string; partNumber?: number }): string {
    checkKey(claims.key);
    checkExpiresIn(claims.expiresIn);
    if (claims.op === 'part') checkPartNumber(claims.partNumber ?? NaN);
    const expires = Math.floor(this.#now() / 1000) + claims.expiresIn;
    const full: SignedUrlClaims = { op: claims.op, key: claims.key, expires, uploadId: claims.uploadId, partNumber: claims.partNumber };
    const url = new URL(encodeKeyPath(claims.key), this.#base);
    url.searchParams.set('op', claims.op);
    url.searchParams.set('expires', String(expires));
    if (claims.op === 'part') {
      url.searchParams.set('uploadId', claims.uploadId ?? '');
      url.searchParams.set('partNumber', String(claims.partNumber));
    }
    url.searchParams.set('sig', this.#signature(full));
    return url.toString();
  }

  /**
   * Verifies a request target (`/base/key?...` or a full URL) and returns its claims.
   *
   * @param basePath path prefix to strip before the key; defaults to `baseUrl`'s path. Pass the
   *   local mount path when a proxy rewrites the public prefix.
   * @throws SignedUrlError `SIGNED_URL_INVALID` or `SIGNED_URL_EXPIRED`.
   */
  verify(target: string, basePath: string = this.basePath): SignedUrlClaims {
    const url = new URL(target, 'http://signed.invalid');
    const prefix = basePath.endsWith('/') ? basePath : basePath + '/';
    if (!url.pathname.startsWith(prefix)) {
      throw new SignedUrlError('SIGNED_URL_INVALID', `signed URL path is not under ${prefix}`);
    }
    let key: string;
    try {
      key = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      throw new SignedUrlError('SIGNED_URL_INVALID', 'signed URL path is not valid percent-encoding');
    }
    const op = url.searchParams.get('op') ?? '';
    const expires = Number(url.searchParams.get('expires'));
    const sig = url.searchParams.get('sig') ?? '';
    if (!OPS.has(op) || !Number.isSafeInteger(expires) || sig === '') {
      throw new SignedUrlError('SIGNED_URL_INVALID', 'signed URL lacks a valid op, expires or sig parameter');
    }
    const claims: SignedUrlClaims = { op: op as SignedUrlOperation, key, expires };
    if (op === 'part') {
      claims.uploadId = url.searchParams.get('uploadId') ?? '';
      claims.partNumber = Number(url.searchParams.get('partNumber'));
    }
    const expected = Buffer.from(this.#signature(claims));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new SignedUrlError('SIGNED_URL_INVALID', 'signed URL signature does not match');
    }
    if (Math.floor(this.#now() / 1000) > expires) {
      throw new SignedUrlError('SIGNED_URL_EXPIRED', `signed URL expired at ${new Date(expires * 1000).toISOString()}`);
    }
    return claims;
  }

  #signature(c: SignedUrlClaims): string {
    const text = ['v1', c.op, c.key, c.expires, c.uploadId ?? '', c.partNumber ?? ''].join('\n');
    return createHmac('sha256', this.#secret).update(text).digest('base64url');
  }
}

/** Percent-encodes each path segment of a key, keeping the `/` separators. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
