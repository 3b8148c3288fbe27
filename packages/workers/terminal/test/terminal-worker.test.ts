import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerStartConfig } from '@hypha/apps';
import { TerminalWorker } from '../src/index.js';

function config(id: string, manifest: Record<string, unknown> = {}): WorkerStartConfig {
  return {
    id,
    app_id: 'term-app',
    workspace: 'ws-test',
    client_id: id.split('/').pop()!,
    server_url: 'http://127.0.0.1:1',
    app_files_base_url: 'http://127.0.0.1:1/ws-test/artifacts/term-app/files',
    token: 'tok',
    entry_point: null,
    artifact_id: 'ws-test/term-app',
    timeout: 10,
    manifest: { type: 'terminal', ...manifest },
  };
}

describe('TerminalWorker (real pty)', () => {
  let base: string;
  let worker: TerminalWorker;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'term-test-'));
    worker = new TerminalWorker({ workingDir: base, maxSessions: 4 });
  });
  afterAll(async () => {
    await worker.shutdown();
    await rm(base, { recursive: true, force: true });
  });

  it('runs a bash session: execute returns the output without echo or prompt, logs carry it', async () => {
    const sid = await worker.start(config('ws-test/bash-1'));
    expect(sid).toBe('ws-test/bash-1');
    const r = (await worker.execute(sid, 'echo "sum=$((40+2))"', { timeout: 10 })) as { status: string; outputs: Array<{ type: string; text: string }> };
    expect(r.status).toBe('ok');
    expect(r.outputs[0]).toEqual({ type: 'stream', name: 'stdout', text: 'sum=42' });
    const slow = (await worker.execute(sid, 'sleep 1.8; echo late', { timeout: 10 })) as { outputs: Array<{ text: string }> };
    expect(slow.outputs[0]!.text).toBe('late');
    const logs = await worker.getLogs(sid);
    if (typeof logs === 'string') throw new Error('expected a log page');
    expect(logs.items[0]).toEqual({ type: 'info', content: 'Terminal session started with command: /bin/bash' });
    expect(logs.items.filter((i) => i.type === 'stdout').map((i) => i.content).join('')).toContain('sum=42');
    expect(await worker.getLogs(sid, 'screen')).toMatch(/sum=42/);
    await worker.stop(sid);
    await expect(worker.getLogs(sid)).rejects.toThrow('Terminal session ws-test/bash-1 not found');
  });

  it('gives each session its own working directory and removes it on stop', async () => {
    const a = await worker.start(config('ws-test/dir-a'));
    const b = await worker.start(config('ws-test/dir-b'));
    const pwd = async (sid: string) => ((await worker.execute(sid, 'pwd', { timeout: 10 })) as { outputs: Array<{ text: string }> }).outputs[0]!.text;
    const [da, db] = [await pwd(a), await pwd(b)];
    expect(da).not.toBe(db);
    expect(realpathSync(da).startsWith(realpathSync(base))).toBe(true);
    await worker.execute(a, 'echo data > file.txt', { timeout: 10 });
    expect(existsSync(join(da, 'file.txt'))).toBe(true);
    expect(((await worker.execute(b, 'ls', { timeout: 10 })) as { outputs: Array<{ text: string }> }).outputs[0]!.text).toBe('');
    await worker.stop(a);
    await worker.stop(b);
    expect(existsSync(da)).toBe(false);
    expect(existsSync(db)).toBe(false);
  });

  it('runs python3 -i: execute waits for the >>> prompt', async () => {
    const sid = await worker.start(config('ws-test/py', { startup_command: 'python3 -i -q' }));
    const hello = (await worker.execute(sid, "print('Hello from Python')", { timeout: 10 })) as { outputs: Array<{ text: string }> };
    expect(hello.outputs[0]!.text).toBe('Hello from Python');
    const four = (await worker.execute(sid, '2 + 2', { timeout: 10 })) as { outputs: Array<{ text: string }> };
    expect(four.outputs[0]!.text).toBe('4');
    await worker.stop(sid);
  });

  it('writes keystrokes, reads what came since the last read, resizes, and shows the screen', async () => {
    const sid = await worker.start(config('ws-test/io'));
    await worker.execute(sid, 'true', { timeout: 10 });
    worker.read(sid);
    expect(worker.write(sid, 'echo typed-$((6*7))\r')).toEqual({ success: true, bytes_written: 20 });
    let out = '';
    for (let i = 0; i < 100 && !out.includes('typed-42'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      out += worker.read(sid).output ?? '';
    }
    expect(out).toContain('typed-42');
    expect(worker.read(sid)).toEqual({ success: true, output: '' });
    expect(worker.resize(sid, 40, 132)).toEqual({ success: true, terminal_size: { rows: 40, cols: 132 } });
    const size = (await worker.execute(sid, 'stty size', { timeout: 10 })) as { outputs: Array<{ text: string }> };
    expect(size.outputs[0]!.text).toBe('40 132');
    const screen = worker.screenContent(sid);
    expect(screen.content).toContain('typed-42');
    expect(screen.terminal_size).toEqual({ rows: 40, cols: 132 });
    expect(() => worker.resize(sid, 0, 80)).toThrow('rows must be an integer between 1 and 10000, got 0');
    await worker.stop(sid);
  });

  it('refuses what cannot run, with the reason', async () => {
    await expect(worker.start(config('ws-test/bad', { startup_command: '/nonexistent/command' }))).rejects.toThrow(
      'Failed to spawn terminal process: /nonexistent/command: no such executable file',
    );
    await expect(worker.start(config('ws-test/bad', { startup_command: 'no-such-program-xyz --flag' }))).rejects.toThrow(
      'Failed to spawn terminal process: no-such-program-xyz: command not found on PATH',
    );
    await expect(worker.start(config('ws-test/bad', { startup_command: 42 }))).rejects.toThrow('Invalid manifest: startup_command must be a string or an array of strings');
    await expect(worker.start(config('ws-test/bad', { startup_command: "bash -c 'echo" }))).rejects.toThrow('Unterminated single quote');
    expect(worker.listSessions(null)).toEqual([]);
    await expect(worker.execute('invalid-session-id', 'echo test')).rejects.toThrow('Terminal session invalid-session-id not found');
    const sid = await worker.start(config('ws-test/dup'));
    await expect(worker.start(config('ws-test/dup'))).rejects.toThrow('Session ws-test/dup already exists');
    await worker.stop(sid);
  });

  it('reports a session whose process ended, and caps the number of sessions', async () => {
    const sid = await worker.start(config('ws-test/short', { startup_command: ['/bin/sh', '-c', 'echo bye; exit 3'] }));
    for (let i = 0; i < 100 && worker.listSessions('ws-test')[0]!.is_alive; i++) await new Promise((r) => setTimeout(r, 50));
    expect(worker.listSessions('ws-test')).toMatchObject([{ session_id: sid, is_alive: false, exit_code: 3, status: 'completed' }]);
    await expect(worker.execute(sid, 'echo x')).rejects.toThrow(`Terminal process for session ${sid} is not alive (exit code 3)`);
    expect(worker.read(sid)).toMatchObject({ success: true, output: expect.stringContaining('bye') });
    expect(worker.read(sid)).toEqual({ success: false, error: 'Process not alive' });
    await worker.stop(sid);
    const stubborn = await worker.start(config('ws-test/stubborn', { startup_command: ['/bin/sh', '-c', 'trap "" HUP TERM; echo ready; sleep 60'] }));
    await worker.execute(stubborn, '', { timeout: 1 });
    const t0 = Date.now();
    await worker.stop(stubborn);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(worker.listSessions(null)).toEqual([]);
    const ids = ['m1', 'm2', 'm3', 'm4'].map((n) => `ws-test/${n}`);
    for (const id of ids) await worker.start(config(id));
    await expect(worker.start(config('ws-test/m5'))).rejects.toThrow('Maximum concurrent sessions (4) reached');
    await worker.shutdown();
    expect(worker.listSessions(null)).toEqual([]);
    expect(existsSync(base)).toBe(true);
    const own = new TerminalWorker();
    expect(existsSync(own.workingDir)).toBe(true);
    await own.start(config('ws-test/own'));
    await own.shutdown();
    expect(existsSync(own.workingDir)).toBe(false);
  });
});
