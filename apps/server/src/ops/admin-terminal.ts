/**
 * `--enable-admin-terminal`: a JavaScript REPL (`node:repl`, top-level await) inside the server
 * process, over the server's objects, driven through `admin-utils` as the reference's admin
 * terminal is: start_terminal, write_terminal (keystrokes), read_terminal (new output),
 * get_screen_content, resize_terminal and execute_command (type a line, wait for the prompt).
 *
 * The REPL runs in terminal mode (its own line editor: echo, history, tab completion, cursor
 * keys) on in-memory streams, not an OS pty: it has to evaluate in this process to reach the
 * objects, and a pty in raw mode would add nothing but a file descriptor.
 */
import repl from 'node:repl';
import type { REPLServer } from 'node:repl';
import { PassThrough } from 'node:stream';
import { format } from 'node:util';
import { InvalidArgumentError } from '@hypha/service';
import { filterForXterm, looksLikePrompt, renderScreen, visibleOutput } from '@hypha/worker-terminal';

export interface TerminalSize {
  rows: number;
  cols: number;
}

type Failure = { success: false; error: string };

const PROMPT = 'hypha> ';
const MAX_TRANSCRIPT = 1 << 20;

/** An output stream that readline treats as a terminal of a given size. */
class ScreenStream extends PassThrough {
  isTTY = true;
  columns: number;
  rows: number;

  constructor(size: TerminalSize) {
    super();
    this.columns = size.cols;
    this.rows = size.rows;
  }
}

interface Running {
  repl: REPLServer;
  input: PassThrough;
  output: ScreenStream;
}

export class AdminTerminal {
  size: TerminalSize = { rows: 24, cols: 80 };
  private running: Running | null = null;
  private transcript = '';
  private dropped = 0;
  private readCursor = 0;
  private lastDataAt = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private globals: string[] = [];

  /** `scope()` gives the names the REPL sees (the server's objects); called at each start. */
  constructor(private readonly scope: () => Promise<Record<string, unknown>>) {}

  get isRunning(): boolean {
    return this.running !== null;
  }

  async start(): Promise<{ success: true; message: string; terminal_size: TerminalSize }> {
    if (this.running) return { success: true, message: 'Terminal already running', terminal_size: this.size };
    const names = await this.scope();
    const input = new PassThrough();
    const output = new ScreenStream(this.size);
    output.setEncoding('utf8');
    output.on('data', (d: string) => this.append(d));
    this.transcript = '';
    this.dropped = 0;
    this.readCursor = 0;
    this.append(
      '\r\n=== Hypha Admin JavaScript Terminal ===\r\n\r\n' +
        `In scope: ${Object.keys(names).join(', ')}, print(...)\r\n` +
        'Top-level await works; UP/DOWN for history, TAB for completion.\r\n\r\n',
    );
    const r = repl.start({ prompt: PROMPT, input, output, terminal: true, useColors: false, preview: false, ignoreUndefined: true, breakEvalOnSigint: true,
      // One realm with the server: objects typed at the prompt must be plain Objects to the RPC encoder.
      useGlobal: true });
    const print = (...args: unknown[]) => void output.write(`${format(...args).replace(/\r?\n/g, '\r\n')}\r\n`);
    // With useGlobal the context is globalThis: the names are removed again by stop().
    for (const [name, value] of Object.entries({ ...names, print })) {
      Object.defineProperty(r.context, name, { value, configurable: true, writable: true, enumerable: false });
    }
    this.globals = [...Object.keys(names), 'print'];
    r.on('exit', () => {
      if (this.running?.repl === r) this.running = null;
    });
    this.running = { repl: r, input, output };
    return { success: true, message: 'JavaScript REPL started', terminal_size: this.size };
  }

  write(data: unknown): { success: true; bytes_written: number } | Failure {
    if (typeof data !== 'string') throw new InvalidArgumentError(`data must be a string, got ${typeof data}`);
    if (!this.running) return { success: false, error: 'Terminal not running' };
    this.running.input.write(data);
    return { success: true, bytes_written: data.length };
  }

  read(): { success: true; output: string } | Failure {
    if (!this.running) return { success: false, error: 'Terminal not running' };
    const output = this.since(this.readCursor);
    this.readCursor = this.end;
    return { success: true, output };
  }

  screen(): { success: true; content: string } {
    return { success: true, content: filterForXterm(this.transcript) };
  }

  resize(rows: unknown, cols: unknown): { success: true; terminal_size: TerminalSize } {
    for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10000) {
        throw new InvalidArgumentError(`${name} must be an integer between 1 and 10000, got ${JSON.stringify(v)}`);
      }
    }
    this.size = { rows: rows as number, cols: cols as number };
    if (this.running) {
      this.running.output.columns = this.size.cols;
      this.running.output.rows = this.size.rows;
      this.running.output.emit('resize');
    }
    return { success: true, terminal_size: this.size };
  }

  /** Types `command` and Enter, and returns what it printed once the prompt is back. */
  execute(command: unknown, timeout: unknown = 5): Promise<{ success: true; output: string } | (Failure & { partial_output?: string })> {
    if (typeof command !== 'string') throw new InvalidArgumentError(`command must be a string, got ${typeof command}`);
    if (typeof timeout !== 'number' || !(timeout > 0)) throw new InvalidArgumentError(`timeout must be a positive number of seconds, got ${JSON.stringify(timeout)}`);
    const run = this.queue.then(() => this.executeNow(command, timeout));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async executeNow(command: string, timeout: number): Promise<{ success: true; output: string } | (Failure & { partial_output?: string })> {
    const running = this.running;
    if (!running) return { success: false, error: 'Terminal not running' };
    const line = command.replace(/\r?\n/g, ' ').trim();
    const start = this.end;
    running.input.write(`${line}\r`);
    const deadline = Date.now() + timeout * 1000;
    for (;;) {
      const text = renderScreen(this.since(start));
      const at = line ? text.indexOf(line) : 0;
      const after = at < 0 ? '' : text.slice(at + line.length);
      const nl = after.indexOf('\n');
      if (nl >= 0 && looksLikePrompt(after.slice(nl + 1).split('\n').pop()!) && Date.now() - this.lastDataAt >= 30) {
        return { success: true, output: visibleOutput(this.since(start), line) };
      }
      if (!this.running) return { success: false, error: 'Terminal stopped', partial_output: visibleOutput(this.since(start), line) };
      if (Date.now() >= deadline) {
        // Leave the REPL usable: Ctrl-C abandons a half-typed or still-running command.
        running.input.write('\x03');
        return { success: false, error: `Command timed out after ${timeout} seconds`, partial_output: visibleOutput(this.since(start), line) };
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    if (!running) return;
    running.repl.close();
    running.input.end();
    running.output.end();
    for (const name of this.globals.splice(0)) delete (running.repl.context as Record<string, unknown>)[name];
  }

  private get end(): number {
    return this.dropped + this.transcript.length;
  }

  private since(position: number): string {
    return this.transcript.slice(Math.max(0, position - this.dropped));
  }

  private append(chunk: string): void {
    // The output post-processing of a tty (ONLCR): the REPL ends result lines with a bare \n.
    let data = chunk.replace(/(?<!\r)\n/g, '\r\n');
    if (data.startsWith('\r\n') && chunk.startsWith('\n') && this.transcript.endsWith('\r')) data = data.slice(1);
    this.lastDataAt = Date.now();
    this.transcript += data;
    if (this.transcript.length > MAX_TRANSCRIPT) {
      const cut = this.transcript.length - MAX_TRANSCRIPT;
      this.transcript = this.transcript.slice(cut);
      this.dropped += cut;
    }
  }
}
