import './setup-websocket.js';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOLEAN_FLAGS, FLAGS, loadConfig, startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { FLAG_HELP, helpText } from '../src/cli/help.js';
import { serverVersion } from '../src/cli/version.js';
import { startFailureLine } from '../src/cli/start-errors.js';
import { startInteractive } from '../src/cli/interactive.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('the hypha-server command', () => {
  it('is a bin of the package, with --version and --help covering every flag', () => {
    expect(pkg.bin).toEqual({ 'hypha-server': './bin/hypha-server.mjs' });
    expect(pkg.files).toContain('bin');
    expect(serverVersion()).toBe(pkg.version);
    const help = helpText('9.9.9');
    for (const flag of Object.keys(FLAGS)) {
      expect(FLAG_HELP[flag], flag).toBeTruthy();
      expect(help).toContain(`--${flag}`);
      expect(help).toContain(`HYPHA_${flag.toUpperCase().replace(/-/g, '_')}`);
    }
  });

  it('takes every flag from its HYPHA_ environment variable, explicit flags winning', () => {
    const env: Record<string, string> = {};
    for (const flag of Object.keys(FLAGS)) env[`HYPHA_${flag.toUpperCase().replace(/-/g, '_')}`] = BOOLEAN_FLAGS.has(flag) ? 'false' : 'x';
    // Values that must parse: numbers, booleans, lists, a strong root token, a complete S3 set.
    Object.assign(env, {
      HYPHA_PORT: '9001',
      HYPHA_ENABLE_S3: 'true',
      HYPHA_ENABLE_S3_FOR_ANONYMOUS_USERS: 'yes',
      HYPHA_ENABLE_LOCAL_AUTH: '1',
      HYPHA_DISABLE_AGENT_SKILLS: 'on',
      HYPHA_ENABLE_ADMIN_TERMINAL: 'true',
      HYPHA_INTERACTIVE: 'false',
      HYPHA_ROOT_TOKEN: 'Qm4-tR7yU2-iO9pA3sD6-fG1hJ5kL8zX0cV',
      HYPHA_STARTUP_FUNCTIONS: './a.mjs:one pkg:two',
      HYPHA_STATIC_MOUNTS: '/a:x',
      HYPHA_ALLOW_ORIGINS: 'http://a,http://b',
      HYPHA_ZENODO_URL: 'http://127.0.0.1:1/',
      HYPHA_SANDBOX_ZENODO_URL: 'https://sandbox.example.org',
    });
    const config = loadConfig([], env);
    expect(config).toMatchObject({
      host: 'x',
      port: 9001,
      enableS3: true,
      enableLocalAuth: true,
      disableAgentSkills: true,
      enableAdminTerminal: true,
      interactive: false,
      startupFunctions: ['./a.mjs:one', 'pkg:two'],
      staticMounts: [{ route: '/a', dir: 'x' }],
      allowOrigins: ['http://a', 'http://b'],
      redisUri: 'x',
      zenodoUrl: 'http://127.0.0.1:1',
      sandboxZenodoUrl: 'https://sandbox.example.org',
    });
    expect(loadConfig(['--port', '9002'], env).port).toBe(9002);
  });

  it('explains bad values in one line', () => {
    expect(() => loadConfig([], { HYPHA_PORT: 'abc' })).toThrow('--port must be a number, got "abc"');
    expect(() => loadConfig(['--enable-local-auth=maybe'])).toThrow('--enable-local-auth must be true or false, got "maybe"');
    expect(() => loadConfig(['--startup-functions', 'nocolon'])).toThrow(/PATH_OR_PACKAGE:export/);
    expect(() => loadConfig(['--enable-admin-terminal'])).toThrow('--enable-admin-terminal needs --root-token');
    expect(() => loadConfig(['--bogus'])).toThrow(/^Unknown flag: --bogus/);
    expect(() => loadConfig(['--zenodo-url', 'zenodo.org'])).toThrow('--zenodo-url must be an http(s) URL, got "zenodo.org"');
  });

  it('says in one line that a port is in use or a host cannot be bound', async () => {
    const first = await startServer({ port: 0, quiet: true });
    try {
      const busy = await startServer({ port: first.port, quiet: true }).catch((err: unknown) => err);
      expect(startFailureLine(busy, '127.0.0.1', first.port)).toBe(`port ${first.port} on 127.0.0.1 is already in use (choose another with --port)`);
    } finally {
      await first.close();
    }
    const badHost = await startServer({ port: 0, host: '10.255.255.1', quiet: true }).catch((err: unknown) => err);
    expect(startFailureLine(badHost, '10.255.255.1', 0)).toBe('cannot bind --host 10.255.255.1: the address is not on this machine');
    const unknownHost = await startServer({ port: 0, host: 'no-such-host.invalid', quiet: true }).catch((err: unknown) => err);
    expect(startFailureLine(unknownHost, 'no-such-host.invalid', 0)).toBe('cannot bind --host no-such-host.invalid: the name does not resolve');
  });
});

describe('--interactive', () => {
  let server: RunningServer | null = null;
  afterAll(async () => {
    await server?.close();
  });

  it('evaluates top-level await over the running server and stops it on .exit', async () => {
    server = await startServer({ port: 0, quiet: true });
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (c: Buffer) => (out += c.toString()));
    let exited!: () => void;
    const stopped = new Promise<void>((resolve) => (exited = resolve));
    await startInteractive(server, { input, output, onExit: () => exited() });
    input.write('await api.echo({ answer: 6 * 7 })\n');
    input.write('core === server.core\n');
    await expect.poll(() => out, { timeout: 10_000 }).toContain('{ answer: 42 }');
    expect(out).toContain('hypha> true');
    input.write('.exit\n');
    await stopped;
    const health = await fetch(`${server.url}/health/liveness`).catch((err: unknown) => err);
    expect(health).toBeInstanceOf(Error);
    server = null;
  });
});
