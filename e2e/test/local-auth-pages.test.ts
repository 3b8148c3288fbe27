import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer, type RunningServer } from '@hypha/server';

let srv: RunningServer;
let browser: Browser;
let client: any;
let login: any;

beforeAll(async () => {
  if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;
  srv = await startServer({ port: 0, quiet: true, enableLocalAuth: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  client = await hyphaWebsocketClient.connectToServer({ server_url: srv.url, logger: null } as never);
  login = await client.getService('public/hypha-login');
});

afterAll(async () => {
  await browser?.close();
  await client?.disconnect();
  await srv?.close();
});

describe('local account pages in Chromium', () => {
  it('signs up, verifies the (dev) code and logs in through the page; the waiting check() gets the token', async () => {
    const session = await login.start();
    const page = await browser.newPage();
    await page.goto(session.login_url);
    await page.click('#to-signup');
    await page.fill('#signup-name', 'Page User');
    await page.fill('#signup-email', 'page@example.com');
    await page.fill('#signup-password', 'PagePassword1!');
    await page.click('#signup-form button[type=submit]');
    await page.waitForSelector('#verify-form:not(.hidden)');
    expect(await page.inputValue('#verify-code')).toMatch(/^\d{6}$/);
    await page.click('#verify-form button[type=submit]');
    await page.waitForSelector('#login-form:not(.hidden)');
    expect(await page.inputValue('#login-email')).toBe('page@example.com');
    await page.fill('#login-password', 'PagePassword1!');
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.textContent('#status'), { timeout: 15_000 }).toBe('Logged in as page@example.com.');
    const token = await login.check(session.key, 5);
    expect(typeof token).toBe('string');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'hypha_local_token')?.value).toBe(encodeURIComponent(token));
    // The profile page changes the password with the current one.
    await page.goto(`${srv.url}/public/apps/hypha-login/profile`);
    await page.fill('#profile-email', 'page@example.com');
    await page.fill('#profile-current', 'PagePassword1!');
    await page.fill('#profile-new', 'PagePassword2!');
    await page.click('#profile-form button[type=submit]');
    await expect.poll(() => page.textContent('#status'), { timeout: 15_000 }).toBe('Profile updated successfully');
    expect((await login.login('page@example.com', 'PagePassword2!')).success).toBe(true);
    await page.close();
  });

  it('tells the parent window when it runs in an iframe', async () => {
    const session = await login.start();
    const page = await browser.newPage();
    await page.goto(`${srv.url}/health/liveness`);
    await page.evaluate((url) => {
      (window as unknown as { got: unknown[] }).got = [];
      window.addEventListener('message', (e) => (window as unknown as { got: unknown[] }).got.push(e.data));
      const frame = document.createElement('iframe');
      frame.src = url;
      document.body.appendChild(frame);
    }, session.login_url);
    const frame = page.frameLocator('iframe');
    await frame.locator('#login-email').fill('page@example.com');
    await frame.locator('#login-password').fill('PagePassword2!');
    await frame.locator('#login-form button[type=submit]').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { got: unknown[] }).got), { timeout: 15_000 }).toEqual([
      { type: 'hypha-login-complete', key: session.key, user_id: expect.any(String) },
    ]);
    expect(typeof (await login.check(session.key, 0))).toBe('string');
    await page.close();
  });
});
