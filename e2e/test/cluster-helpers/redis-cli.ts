/** Looks at Redis directly with `redis-cli` (independent of the server's own event bus code). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

/** Keys matching a glob, via SCAN. */
export async function scanKeys(port: number, pattern: string): Promise<string[]> {
  const out = await redisCli(port, '--scan', '--pattern', pattern);
  return out.split('\n').filter((k) => k.length > 0).sort();
}

/** Deletes every key starting with `prefix`; returns how many there were. */
export async function deletePrefixed(port: number, prefix: string): Promise<number> {
  const keys = await scanKeys(port, `${prefix.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}*`);
  for (let i = 0; i < keys.length; i += 500) await redisCli(port, 'DEL', ...keys.slice(i, i + 500));
  return keys.length;
}

/** Whether Redis answers PING; rejects (with redis-cli's message) while nothing listens. */
export async function redisPing(port: number): Promise<boolean> {
  return (await redisCli(port, 'PING')).trim() === 'PONG';
}
