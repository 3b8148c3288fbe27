/**
 * One terminal session: a process in a pseudo-terminal, the transcript of everything it printed
 * (bounded), a read cursor for `read_terminal`, the session's logs, and its working directory,
 * removed when the session closes.
 */
import { rm } from 'node:fs/promises';
import type { IPty } from '@lydell/node-pty';
import type { LogItem, WorkerSession } from '@hypha/apps';

export interface TerminalSessionInfo {
  session_id: string;
  app_id: string;
  workspace: string;
  client_id: string;
  created_at: string;
  startup_command: string[];
  working_dir: string;
}

export interface TerminalSize {
  rows: number;
  cols: number;
}

const MAX_LOG_ITEMS = 500;
const MAX_LOG_ITEM_CHARS = 8192;
const KILL_GRACE_MS = 2000;

export class TerminalSession implements WorkerSession {
  readonly logs: LogItem[] = [];
  size: TerminalSize;
  /** Exit code once the process has ended. */
  exitCode: number | null = null;
  private transcript = '';
  /** Characters dropped from the front of the transcript to keep it bounded. */
  private dropped = 0;
  private readCursor = 0;
  private lastDataAt = Date.now();
  private lastResizeAt = 0;
  private alive = true;
  private readonly exited: Promise<void>;

  constructor(
    private readonly pty: IPty,
    readonly info: TerminalSessionInfo,
    size: TerminalSize,
    private readonly maxTranscript: number,
  ) {
    this.size = size;
    this.log('info', `Terminal session started with command: ${info.startup_command.join(' ')}`);
    pty.onData((data) => this.onData(data));
    this.exited = new Promise((resolve) => {
      pty.onExit(({ exitCode, signal }) => {
        this.alive = false;
        this.exitCode = exitCode;
        this.log('info', `Terminal process exited with code ${exitCode}${signal ? ` (signal ${signal})` : ''}`);
        resolve();
      });
    });
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Position just past the last character printed so far. */
  get end(): number {
    return this.dropped + this.transcript.length;
  }

  /** What was printed from `position` on (what is still kept of it). */
  since(position: number): string {
    return this.transcript.slice(Math.max(0, position - this.dropped));
  }

  /** Everything kept of the output. */
  screen(): string {
    return this.transcript;
  }

  /** Output not yet returned by an earlier `read`. */
  read(): string {
    const out = this.since(this.readCursor);
    this.readCursor = this.end;
    return out;
  }

  write(data: string): void {
    this.pty.write(data);
  }

  resize(size: TerminalSize): void {
    this.pty.resize(size.cols, size.rows);
    this.size = size;
    this.lastResizeAt = Date.now();
  }

  log(type: string, content: string): void {
    const last = this.logs[this.logs.length - 1];
    if (type === 'stdout' && last?.type === 'stdout' && last.content.length + content.length <= MAX_LOG_ITEM_CHARS) {
      last.content += content;
    } else {
      this.logs.push({ type, content });
      if (this.logs.length > MAX_LOG_ITEMS) this.logs.splice(0, this.logs.length - MAX_LOG_ITEMS);
    }
  }

  /**
   * Waits for the end of a command's output, by what `check(output since start)` says: `'prompt'`
   * (a prompt is back) once the terminal has been quiet for `quietMs`, `'output'` (output without
   * a prompt) once it has been quiet for `idleMs`; or until the process ends or `timeoutMs`
   * passes. Returns the output since `start`.
   */
  async waitFor(start: number, check: (output: string) => 'prompt' | 'output' | false, timeoutMs: number, quietMs: number, idleMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.alive && Date.now() < deadline) {
      const state = check(this.since(start));
      const quiet = Date.now() - this.lastDataAt;
      if ((state === 'prompt' && quiet >= quietMs) || (state === 'output' && quiet >= idleMs)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.since(start);
  }

  /**
   * Waits until the program is ready for input: it has printed something (a banner, a prompt)
   * and has then been quiet for `quietMs`, also since the last resize (after which a line editor
   * redraws its prompt); at most `maxMs`. Typing earlier gets the input echoed twice (by the
   * terminal, then by the program's line editor), which confuses `execute`.
   */
  async settle(quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (this.alive && Date.now() < deadline) {
      const now = Date.now();
      if (this.end > 0 && now - this.lastDataAt >= quietMs && now - this.lastResizeAt >= 2 * quietMs) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Ends the process (SIGHUP, as when a terminal closes; SIGKILL after a grace period) and removes the working directory. */
  async close(): Promise<void> {
    if (this.alive) {
      this.pty.kill('SIGHUP');
      const killer = setTimeout(() => {
        if (this.alive) this.pty.kill('SIGKILL');
      }, KILL_GRACE_MS);
      await this.exited;
      clearTimeout(killer);
    }
    await rm(this.info.working_dir, { recursive: true, force: true });
  }

  private onData(data: string): void {
    this.lastDataAt = Date.now();
    this.transcript += data;
    if (this.transcript.length > this.maxTranscript) {
      const cut = this.transcript.length - this.maxTranscript;
      this.transcript = this.transcript.slice(cut);
      this.dropped += cut;
    }
    this.log('stdout', data);
  }
}
