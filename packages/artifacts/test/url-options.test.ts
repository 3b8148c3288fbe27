import { describe, expect, it } from 'vitest';
import { localizeUrl, parseLocalUrl, parseUseProxy } from '../src/url-options.js';

const bases = [{ public: 'https://s3.example.org', local: 'http://minio:9000' }];

describe('use_local_url and use_proxy', () => {
  it('parses the accepted values and names what was wrong', () => {
    expect(parseLocalUrl(undefined)).toBe(false);
    expect(parseLocalUrl(true)).toBe(true);
    expect(parseLocalUrl('http://10.0.0.5:9527/')).toBe('http://10.0.0.5:9527');
    expect(() => parseLocalUrl('absolute')).toThrow(/use_local_url must be true, false or a base URL.*"absolute"/);
    expect(parseUseProxy(null)).toBe(false);
    expect(() => parseUseProxy('yes')).toThrow(/use_proxy must be a boolean/);
  });

  it('swaps only a known public prefix, at a path boundary', () => {
    const url = 'https://s3.example.org/bucket/ws/artifacts/x/v0/a.txt?X-Amz-Signature=abc';
    expect(localizeUrl(url, false, bases)).toBe(url);
    expect(localizeUrl(url, true, bases)).toBe('http://minio:9000/bucket/ws/artifacts/x/v0/a.txt?X-Amz-Signature=abc');
    expect(localizeUrl(url, 'http://proxy:1', bases)).toBe('http://proxy:1/bucket/ws/artifacts/x/v0/a.txt?X-Amz-Signature=abc');
    expect(localizeUrl('https://s3.example.org.evil/x', true, bases)).toBe('https://s3.example.org.evil/x');
    expect(localizeUrl('https://other/x', true, bases)).toBe('https://other/x');
  });
});
