/**
 * Runs the system `git` binary: buffered for small plumbing commands, or as a child process
 * whose stdin/stdout the caller streams (pack transfers). Every failure names the command and
 * carries git's own stderr.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** `git` exited non-zero (or could not start). */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.slice(0, 2).join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no message'}`);
    this.name = 'GitCommandError';
  }
}

export interface RunGitOptions {
  /** The git directory (`--git-dir`); omitted for commands that take a path argument. */
  gitDir?: string;
  input?: string | Uint8Array;
  env?: Record<string, string>;
  /** Exit codes that are not failures (e.g. 1 for `diff --quiet`). */
  okCodes?: number[];
}

/** Environment every git child runs with: no user or system config, no prompts, fixed identity. */
export function gitEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Hypha',
    GIT_AUTHOR_EMAIL: 'hypha@localhost',
    GIT_COMMITTER_NAME: 'Hypha',
    GIT_COMMITTER_EMAIL: 'hypha@localhost',
    ...extra,
  };
}

function fullArgs(args: readonly string[], gitDir?: string): string[] {
  return gitDir ? ['--git-dir', gitDir, ...args] : [...args];
}

/** Runs git to completion and returns its stdout. @throws GitCommandError */
export function runGit(args: readonly string[], o: RunGitOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs(args, o.gitDir), { env: gitEnv(o.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new GitCommandError(args, null, e.message)));
    child.on('close', (code) => {
      if (code === 0 || (code !== null && o.okCodes?.includes(code))) resolve(Buffer.concat(out));
      else reject(new GitCommandError(args, code, Buffer.concat(err).toString('utf8')));
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all input; 'close' reports it
    child.stdin.end(o.input ?? '');
  });
}

/** Runs git and returns stdout as trimmed text. */
export async function gitText(args: readonly string[], o: RunGitOptions = {}): Promise<string> {
  return (await runGit(args, o)).toString('utf8').trim();
}

/** Starts git with piped stdio for streaming; the caller owns the process. */
export function spawnGit(args: readonly string[], gitDir?: string, env?: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn('git', fullArgs(args, gitDir), { env: gitEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
}
