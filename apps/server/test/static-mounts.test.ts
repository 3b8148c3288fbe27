import './setup-websocket.js';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { loadConfig, startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

let server: RunningServer;
let base: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hypha-static-'));
  const site = join(dir, 'site');
  await mkdir(join(site, 'sub'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<h1>home</h1>');
  await writeFile(join(site, 'sub', 'page.txt'), 'inner page');
  await writeFile(join(dir, 'secret.txt'), 'outside the mount');
  await symlink(join(dir, 'secret.txt'), join(site, 'link-out.txt'));
  await symlink(dir, join(site, 'dir-out'));
  await symlink(join(site, 'sub', 'page.txt'), join(site, 'link-in.txt'));
  server = await startServer({ port: 0, quiet: true, basePath: '/hypha', staticMounts: [{ route: '/static', dir: site }, { route: '/other', dir: join(site, 'sub') }] });
  base = `${server.url}/hypha`;
});

afterAll(() => server.close());

const get = (path: string) => fetch(`${base}${path}`);

describe('--static-mounts under --base-path', () => {
  it('serves files, directory index pages and symlinks that stay inside', async () => {
    expect(await (await get('/static/sub/page.txt')).text()).toBe('inner page');
    expect(await (await get('/static/')).text()).toBe('<h1>home</h1>');
    expect(await (await get('/static/link-in.txt')).text()).toBe('inner page');
    expect(await (await get('/other/page.txt')).text()).toBe('inner page');
    expect((await get('/static/sub/page.txt')).headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('never leaves the directory: encoded .., backslashes, symlinks out', async () => {
    for (const path of ['/static/%2e%2e/secret.txt', '/static/..%2Fsecret.txt', '/static/sub/%2E%2E%2F%2E%2E%2Fsecret.txt', '/static/..%5Csecret.txt', '/static/link-out.txt', '/static/dir-out/secret.txt', '/static/missing.txt']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('outside the mount');
    }
  });

  it('puts every route under the base path', async () => {
    expect((await fetch(`${server.url}/static/sub/page.txt`)).status).toBe(404);
    expect((await get('/health/liveness')).status).toBe(200);
    const client = await connectSilently({ server_url: base });
    expect(client.config.workspace).toMatch(/^ws-user-anonymouz-/);
    await client.disconnect();
  });

  it('parses the flag as the reference (several values, repeated flags, the environment)', () => {
    expect(loadConfig(['--static-mounts', '/a:x', '/b/:y', '--port', '1']).staticMounts).toEqual([{ route: '/a', dir: 'x' }, { route: '/b', dir: 'y' }]);
    expect(loadConfig(['--static-mounts=/a:x', '--static-mounts', 'c:z']).staticMounts).toEqual([{ route: '/a', dir: 'x' }, { route: '/c', dir: 'z' }]);
    expect(loadConfig([], { HYPHA_STATIC_MOUNTS: '/a:x /b:y' }).staticMounts).toHaveLength(2);
    expect(() => loadConfig(['--static-mounts', 'nodir'])).toThrow(/--static-mounts entries look like \/route:DIR, got "nodir"/);
    expect(() => loadConfig(['--static-mounts', '/../x:y'])).toThrow(/route must be a path/);
  });

  it('refuses a mount whose directory does not exist', async () => {
    await expect(startServer({ port: 0, quiet: true, staticMounts: [{ route: '/x', dir: '/no/such/dir' }] })).rejects.toThrow(/--static-mounts \/x:\/no\/such\/dir: \/no\/such\/dir is not a readable directory/);
  });
});
