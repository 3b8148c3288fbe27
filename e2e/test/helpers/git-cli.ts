/** The stock `git` command for e2e tests, isolated from the machine's configuration. */
import { execFile } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `git` with HOME at `home()` (read at each call), no system or global config, no prompts. */
export function gitCli(home: () => string) {
  function git(args: string[], cwd?: string): Promise<GitResult> {
    return new Promise((resolve) => {
      execFile(
        'git',
        args,
        {
          cwd,
          env: {
            PATH: process.env.PATH, HOME: home(), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0',
            GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@x',
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }
  /** Runs git and returns its output; a non-zero exit throws with git's stderr. */
  async function gitOk(args: string[], cwd?: string): Promise<string> {
    const r = await git(args, cwd);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }
  return { git, gitOk };
}
