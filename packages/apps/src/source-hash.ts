/** The reference's `source_hash`: a sha2-256 multihash (0x12, 0x20, digest) in base58btc. */
import { createHash } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

export function sourceHash(source: string): string {
  const digest = createHash('sha256').update(source, 'utf8').digest();
  return base58(Buffer.concat([Buffer.from([0x12, 0x20]), digest]));
}
