/**
 * Local accounts (`--enable-local-auth`, server-api §6.7): sign up with an e-mailed 6-digit code,
 * verify, log in with a password, update the profile. Results are values `{success, error}` as
 * in the reference. Accounts live in the event bus's key-value store (`local-auth:user:<email>`),
 * pending sign-ups expire with the code; failed logins are limited per account and per client.
 */
import type { AuthService, UserInfo } from '@hypha/auth';
import { readableId } from '@hypha/auth';
import type { KeyValueStore } from '@hypha/eventbus';
import { hashPassword, sameCode, verificationCode, verifyPassword } from './password.js';
import type { Mailer } from './mailer.js';

export interface LocalAuthSettings {
  codeTtl: number;
  maxAttempts: number;
  resendThrottle: number;
  /** Failed logins allowed per account within `lockWindow` seconds. */
  maxFailedLogins: number;
  /** Failed logins allowed per caller (client or address), over all accounts, within `lockWindow`. */
  maxFailedLoginsPerCaller: number;
  lockWindow: number;
}

export function settingsFromEnv(env: Record<string, string | undefined>): LocalAuthSettings {
  const n = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const x = Number(v);
    if (!(x > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(v)}`);
    return x;
  };
  return {
    codeTtl: n('HYPHA_VERIFICATION_CODE_TTL', 600),
    maxAttempts: n('HYPHA_VERIFICATION_MAX_ATTEMPTS', 5),
    resendThrottle: n('HYPHA_VERIFICATION_RESEND_THROTTLE', 30),
    maxFailedLogins: n('HYPHA_LOGIN_MAX_FAILURES', 5),
    maxFailedLoginsPerCaller: n('HYPHA_LOGIN_MAX_FAILURES_PER_CALLER', 20),
    lockWindow: n('HYPHA_LOGIN_LOCK_WINDOW', 900),
  };
}

interface Account {
  id: string;
  name: string;
  email: string;
  password_hash: string;
  created_at: number;
  email_verified: boolean;
  roles: string[];
}

interface Pending {
  name: string;
  email: string;
  password_hash: string;
  code: string;
  attempts: number;
  sent_at: number;
}

type Result = Record<string, unknown> & { success: boolean };
const fail = (error: string): Result => ({ success: false, error });
const normalize = (email: string) => email.trim().toLowerCase();
const USER = (email: string) => `local-auth:user:${email}`;
const PENDING = (email: string) => `local-auth:pending:${email}`;
const FAILS = (who: string) => `local-auth:failures:${who}`;

export class LocalAccounts {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly auth: AuthService,
    private readonly mailer: Mailer,
    private readonly s: LocalAuthSettings,
  ) {}

  private async account(email: string): Promise<Account | null> {
    const raw = await this.kv.get(USER(email));
    return raw === null ? null : (JSON.parse(raw) as Account);
  }

  async signup(name?: string, email?: string, password?: string): Promise<Result> {
    if (!name || !email || !password) return fail('Name, email and password are required');
    if (password.length < 8) return fail('Password must be at least 8 characters');
    const e = normalize(email);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return fail('Invalid email address');
    if (await this.account(e)) return fail('Email already registered');
    const code = verificationCode();
    const pending: Pending = { name, email: e, password_hash: await hashPassword(password), code, attempts: 0, sent_at: Date.now() };
    await this.kv.set(PENDING(e), JSON.stringify(pending), { ttlMs: this.s.codeTtl * 1000 });
    await this.mailer.sendCode(e, code);
    const out: Result = { success: true, verification_required: true, email: e };
    if (this.mailer.devFallback) out.dev_code = code;
    return out;
  }

  async verifyEmail(email?: string, code?: string): Promise<Result> {
    if (!email || !code) return fail('Email and verification code are required');
    const e = normalize(email);
    const raw = await this.kv.get(PENDING(e));
    if (raw === null) return fail('No pending verification for this email (or the code expired). Please sign up again.');
    const p = JSON.parse(raw) as Pending;
    if (p.attempts >= this.s.maxAttempts) {
      await this.kv.del(PENDING(e));
      return fail('Too many attempts. Please sign up again.');
    }
    if (!sameCode(String(code).trim(), p.code)) {
      p.attempts += 1;
      await this.kv.set(PENDING(e), JSON.stringify(p), { ttlMs: Math.max(1000, p.sent_at + this.s.codeTtl * 1000 - Date.now()) });
      return fail(`Invalid verification code (${this.s.maxAttempts - p.attempts} attempts left)`);
    }
    const account: Account = { id: readableId(), name: p.name, email: e, password_hash: p.password_hash, created_at: Date.now() / 1000, email_verified: true, roles: ['user'] };
    if (!(await this.kv.set(USER(e), JSON.stringify(account), { onlyIfAbsent: true }))) return fail('Email already registered');
    await this.kv.del(PENDING(e));
    return { success: true, user_id: account.id, email_verified: true };
  }

  async resendCode(email?: string): Promise<Result> {
    if (!email) return fail('Email is required');
    const e = normalize(email);
    const raw = await this.kv.get(PENDING(e));
    if (raw === null) return fail('No pending verification for this email. Please sign up again.');
    const p = JSON.parse(raw) as Pending;
    const wait = Math.ceil((p.sent_at + this.s.resendThrottle * 1000 - Date.now()) / 1000);
    if (wait > 0) return fail(`Please wait ${wait}s before requesting another code.`);
    const next: Pending = { ...p, code: verificationCode(), attempts: 0, sent_at: Date.now() };
    await this.kv.set(PENDING(e), JSON.stringify(next), { ttlMs: this.s.codeTtl * 1000 });
    await this.mailer.sendCode(e, next.code);
    const out: Result = { success: true, email: e };
    if (this.mailer.devFallback) out.dev_code = next.code;
    return out;
  }

  /** Counts a failure for each key (`email:` or `caller:`); true when any of them is at its limit. */
  private async limited(keys: string[], record: boolean): Promise<boolean> {
    let over = false;
    for (const key of keys) {
      const n = Number((await this.kv.get(FAILS(key))) ?? 0) + (record ? 1 : 0);
      if (record) await this.kv.set(FAILS(key), String(n), { ttlMs: this.s.lockWindow * 1000 });
      if (n >= (key.startsWith('caller:') ? this.s.maxFailedLoginsPerCaller : this.s.maxFailedLogins)) over = true;
    }
    return over;
  }

  /** `caller`: who is asking (the client id, or the address for HTTP), limited like the account. */
  async login(email: string | undefined, password: string | undefined, workspace: string | undefined, caller: string): Promise<Result & { account?: Account; token?: string }> {
    if (!email || !password) return fail('Email and password are required');
    const e = normalize(email);
    const keys = [`email:${e}`, `caller:${caller}`];
    if (await this.limited(keys, false)) return fail(`Too many failed logins. Try again in ${Math.round(this.s.lockWindow / 60)} minutes.`);
    const account = await this.account(e);
    // Hash even for unknown accounts so that timing does not tell which e-mails exist.
    const ok = account ? await verifyPassword(password, account.password_hash) : (await hashPassword(password), false);
    if (!account || !ok) {
      await this.limited(keys, true);
      return fail('Invalid email or password');
    }
    await this.kv.del(FAILS(keys[0]!));
    const ws = workspace || `ws-user-${account.id}`;
    const user: UserInfo = {
      id: account.id,
      roles: account.roles,
      is_anonymous: false,
      email: account.email,
      parent: null,
      expires_at: null,
      current_workspace: ws,
      scope: { current_workspace: ws, workspaces: { [ws]: 'a', [`ws-user-${account.id}`]: 'a' }, client_id: null, extra_scopes: [] },
    };
    const token = this.auth.generateToken(user, { expiresIn: 24 * 3600 });
    return { success: true, token, user_id: account.id, email: account.email, workspace: ws, account };
  }

  async updateProfile(name?: string, currentPassword?: string, newPassword?: string, userEmail?: string): Promise<Result> {
    if (!userEmail) return fail('Email is required for profile updates');
    const e = normalize(userEmail);
    const account = await this.account(e);
    if (!account) return fail('User not found');
    // Unlike the reference, any change needs the current password: the e-mail alone proves nothing.
    if (!currentPassword) return fail('Current password required to update the profile');
    if (!(await verifyPassword(currentPassword, account.password_hash))) return fail('Current password is incorrect');
    if (newPassword) {
      if (newPassword.length < 8) return fail('New password must be at least 8 characters');
      account.password_hash = await hashPassword(newPassword);
    }
    if (name) account.name = name;
    await this.kv.set(USER(e), JSON.stringify(account));
    return { success: true, message: 'Profile updated successfully' };
  }
}
