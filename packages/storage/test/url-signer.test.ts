import { describe, expect, it } from 'vitest';
import { parseRangeHeader, resolveRange, SignedUrlError, UrlSigner, isBlobStoreError } from '../src/index.js';

describe('UrlSigner', () => {
  const secret = 'a-secret-of-sufficient-length';
  let clock = 1_700_000_000_000;
  const signer = new UrlSigner({ secret, baseUrl: 'https://files.example/base/', now: () => clock });

  it('round-trips claims and rejects changes and expiry', () => {
    const url = signer.sign({ op: 'part', key: 'ws/a b/ü.bin', uploadId: 'abc', partNumber: 3, expiresIn: 60 });
    expect(url.startsWith('https://files.example/base/ws/a%20b/%C3%BC.bin?')).toBe(true);
    const target = url.slice('https://files.example'.length);
    expect(signer.verify(target)).toEqual({ op: 'part', key: 'ws/a b/ü.bin', uploadId: 'abc', partNumber: 3, expires: 1_700_000_060 });

    expect(() => signer.verify(target.replace('partNumber=3', 'partNumber=4'))).toThrow(/signature does not match/);
    expect(() => signer.verify(target.replace('op=part', 'op=put'))).toThrow(SignedUrlError);
    expect(() => new UrlSigner({ secret: 'another-secret-value', baseUrl: 'https://x/base' }).verify(target)).toThrow(/does not match/);
    expect(() => signer.verify('/elsewhere/ws/x?op=get')).toThrow(/not under \/base\//);

    clock += 61_000;
    const error = (() => {
      try {
        signer.verify(target);
      } catch (e) {
        return e;
      }
    })();
    expect(isBlobStoreError(error, 'SIGNED_URL_EXPIRED')).toBe(true);
  });

  it('refuses short secrets and bad lifetimes', () => {
    expect(() => new UrlSigner({ secret: 'short', baseUrl: 'http://x/' })).toThrow(/at least 16 bytes/);
    expect(() => signer.sign({ op: 'get', key: 'k', expiresIn: 604_801 })).toThrow(/expiresIn/);
    expect(() => signer.sign({ op: 'get', key: '../k', expiresIn: 10 })).toThrow(/"\.\." segment/);
  });
});

describe('ranges', () => {
  it('parses and resolves HTTP byte ranges', () => {
    expect(parseRangeHeader(undefined)).toBeUndefined();
    expect(parseRangeHeader('bytes=5-')).toEqual({ start: 5 });
    expect(parseRangeHeader('bytes=-7')).toEqual({ suffix: 7 });
    expect(parseRangeHeader('bytes=1-2')).toEqual({ start: 1, end: 2 });
    expect(() => parseRangeHeader('bytes=1-2,4-5')).toThrow(/one bytes=start-end range/);
    expect(() => parseRangeHeader('items=1-2')).toThrow(/unsupported Range header/);
    expect(resolveRange({ suffix: 50 }, 10)).toEqual({ start: 0, end: 9 });
    expect(() => resolveRange({ start: 3, end: 1 }, 10)).toThrow(/not a valid byte range/);
    expect(() => resolveRange({ start: 0 }, 0)).toThrow(/the object has 0 bytes/);
  });
});
