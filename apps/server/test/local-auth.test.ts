import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { hashPassword, verifyPassword } from '../src/ops/local-auth/password.js';

let server: RunningServer;
let client: any;
let login: any;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, enableLocalAuth: true, env: { HYPHA_LOGIN_MAX_FAILURES: '3', HYPHA_LOGIN_MAX_FAILURES_PER_CALLER: '8' } });
  client = await connectSilently({ server_url: server.url });
  login = await client.getService('public/hypha-login');
});

afterAll(async () => {
  await client.disconnect();
  await server.close();
});

async function signUp(email: string, password = 'Password123!') {
  const signup = await login.signup('Test User', email, password);
  expect(signup).toMatchObject({ success: true, verification_required: true, email, dev_code: expect.stringMatching(/^\d{6}$/) });
  const verified = await login.verify_email(email, signup.dev_code);
  expect(verified).toMatchObject({ success: true, user_id: expect.any(String), email_verified: true });
  return verified.user_id as string;
}

describe('local accounts (--enable-local-auth)', () => {
  it('hashes passwords with scrypt and a salt', async () => {
    const a = await hashPassword('secret-pass');
    const b = await hashPassword('secret-pass');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('secret-pass', a)).toBe(true);
    expect(await verifyPassword('secret-pasS', a)).toBe(false);
  });

  it('signs up with a code, logs in and connects with the token to its own workspace', async () => {
    const userId = await signUp('alice@example.com');
    const ok = await login.login('Alice@Example.com', 'Password123!');
    expect(ok).toMatchObject({ success: true, user_id: userId, email: 'alice@example.com', workspace: `ws-user-${userId}`, token: expect.any(String) });
    const wrong = await login.login('alice@example.com', 'nope-nope-nope');
    expect(wrong).toEqual({ success: false, error: 'Invalid email or password' });
    const api = await connectSilently({ server_url: server.url, token: ok.token });
    expect(api.config.workspace).toBe(`ws-user-${userId}`);
    await api.disconnect();
    // The token also works in the local-auth header over HTTP.
    const res = await fetch(`${server.url}/ws-user-${userId}/services`, { headers: { 'X-Local-Auth': ok.token } });
    expect(res.status).toBe(200);
    const cookie = await fetch(`${server.url}/ws-user-${userId}/services`, { headers: { Cookie: `hypha_local_token=${ok.token}` } });
    expect(cookie.status).toBe(200);
  });

  it('refuses short passwords, duplicates, wrong and unknown codes; throttles resends', async () => {
    expect(await login.signup('x', 'short@example.com', 'short')).toEqual({ success: false, error: 'Password must be at least 8 characters' });
    await signUp('dup@example.com');
    expect((await login.signup('x', 'dup@example.com', 'Password123!')).error).toBe('Email already registered');
    const pending = await login.signup('Bob', 'bob@example.com', 'Password123!');
    const wrongCode = pending.dev_code === '000000' ? '111111' : '000000';
    expect(await login.verify_email('bob@example.com', wrongCode)).toMatchObject({ success: false, error: expect.stringMatching(/^Invalid verification code/) });
    expect((await login.login('bob@example.com', 'Password123!')).success).toBe(false);
    const resend = await login.resend_code('bob@example.com');
    expect(resend).toMatchObject({ success: false, error: expect.stringMatching(/^Please wait \d+s/) });
    expect((await login.verify_email('bob@example.com', pending.dev_code)).success).toBe(true);
    expect((await login.verify_email('nobody@example.com', '123456')).success).toBe(false);
  });

  it('locks an account after repeated failed logins', async () => {
    await signUp('carol@example.com');
    for (let i = 0; i < 3; i++) expect((await login.login('carol@example.com', 'wrong-password')).error).toBe('Invalid email or password');
    expect((await login.login('carol@example.com', 'Password123!')).error).toMatch(/^Too many failed logins/);
    // Per caller too: a client that fails on many accounts is stopped (limit 8 here).
    const other = await connectSilently({ server_url: server.url });
    const svc = await other.getService('public/hypha-login');
    for (let i = 0; i < 8; i++) expect((await svc.login(`ghost${i}@example.com`, 'whatever-pass')).error).toBe('Invalid email or password');
    expect((await svc.login('alice@example.com', 'Password123!')).error).toMatch(/^Too many failed logins/);
    expect((await login.login('alice@example.com', 'Password123!')).success).toBe(true);
    await other.disconnect();
  });

  it('completes a start/check login session and updates the profile', async () => {
    const userId = await signUp('dave@example.com');
    const session = await login.start();
    expect(await login.check(session.key, 0)).toBe(null);
    const done = await login.login({ email: 'dave@example.com', password: 'Password123!', key: session.key, _rkwargs: true });
    expect(done.success).toBe(true);
    const profile = await login.check(session.key, 0, true);
    expect(profile).toMatchObject({ token: done.token, email: 'dave@example.com', user_id: userId, workspace: `ws-user-${userId}` });
    expect(await login.update_profile('Dave', 'bad-password', null, 'dave@example.com')).toEqual({ success: false, error: 'Current password is incorrect' });
    expect(await login.update_profile('Dave', 'Password123!', 'NewPassword456!', 'dave@example.com')).toEqual({ success: true, message: 'Profile updated successfully' });
    expect((await login.login('dave@example.com', 'Password123!')).success).toBe(false);
    expect((await login.login('dave@example.com', 'NewPassword456!')).success).toBe(true);
  });

  it('answers the same functions over HTTP with keyword arguments', async () => {
    const res = await fetch(`${server.url}/public/services/hypha-login/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Eve', email: 'eve@example.com', password: 'Password123!' }),
    });
    expect(await res.json()).toMatchObject({ success: true, verification_required: true, email: 'eve@example.com' });
    const page = await (await fetch(`${server.url}/public/apps/hypha-login/?key=k1`)).text();
    for (const needle of ['window.parent !== window', 'reportLoginComplete', 'hypha-login-complete', 'postMessage', 'window.close(']) expect(page).toContain(needle);
  });
});
