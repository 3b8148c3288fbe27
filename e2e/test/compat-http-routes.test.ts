import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { npmHarness } from './compat-helpers/npm-client.js';

// HTTP routes that scripts written against the Python server call directly (server-api §3.1).

const h = npmHarness();
beforeAll(() => h.start());
afterEach(() => h.closeAll());
afterAll(() => h.stop());

describe('reference HTTP routes', () => {
  it('serves /assets/config.json with the caller and the server info', async () => {
    const res = await fetch(`${h.server().url}/assets/config.json`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.user?.is_anonymous).toBe(true);
    expect(body.hypha_version).toEqual(expect.any(String));
    expect(body.public_base_url).toBe(h.server().url.replace(/\/$/, ''));
  });

  it('serves /{ws}/info to a reader and 403 JSON to others', async () => {
    const api = await h.connect();
    const ws = api.config.workspace as string;
    const token = await api.generateToken();
    const mine = await fetch(`${h.server().url}/${ws}/info`, { headers: { Authorization: `Bearer ${token}` } });
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as Record<string, unknown>).id).toBe(ws);

    const stranger = await fetch(`${h.server().url}/${ws}/info`);
    expect(stranger.status).toBe(403);
    expect(await stranger.json()).toMatchObject({ success: false });
  });
});
