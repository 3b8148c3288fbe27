/**
 * How our server is started from a shell (`pnpm --filter server start`), turned into a direct
 * `node …` command so cold start measures the server and not pnpm.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchRoot, childNodeFlags } from '../harness/child.js';
import { unavailable, type Outcome } from '../harness/not-available.js';

export const serverDir = resolve(benchRoot, '..', 'apps', 'server');

export interface StartCommand {
  cwd: string;
  argv: string[];
  /** What was run, for the notes. */
  description: string;
}

export function serverStartCommand(port: number): Outcome<StartCommand> {
  const pkg = JSON.parse(readFileSync(resolve(serverDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const start = pkg.scripts?.start;
  if (!start) return unavailable('apps/server/package.json has no "start" script yet');
  const words = start.trim().split(/\s+/);
  const scriptIndex = words.findIndex((w) => /\.(ts|js|mjs|cjs)$/.test(w));
  if (scriptIndex < 0) return unavailable(`cannot find the entry file in the start script "${start}"`);
  const entry = words[scriptIndex];
  if (!existsSync(resolve(serverDir, entry))) return unavailable(`start script entry ${entry} does not exist (build the server first?)`);
  const flags = entry.endsWith('.ts') ? childNodeFlags : [];
  const rest = words.slice(scriptIndex + 1);
  return {
    ok: true,
    value: {
      cwd: serverDir,
      argv: [process.execPath, ...flags, entry, ...rest, '--host', '127.0.0.1', '--port', String(port)],
      description: `node ${[...flags, entry, ...rest].join(' ')} --host 127.0.0.1 --port <port> (from "start": "${start}")`,
    },
  };
}
