/**
 * `--enable-local-auth`: installs local accounts through `register_auth_service`, as the reference's
 * built-in startup function does. Tokens are the server's internal tokens; requests may carry them
 * in the `X-Local-Auth` header or the `hypha_local_token` cookie besides the usual places.
 */
import type { AuthService } from '@hypha/auth';
import type { KeyValueStore } from '@hypha/eventbus';
import { LocalAccounts, settingsFromEnv } from './local-accounts.js';
import { mailerFromEnv } from './mailer.js';
import { declare } from '../../http/declared-function.js';
import { localLoginPageHtml, localProfilePageHtml } from './login-pages.js';

const LOGIN_TTL_MS = 180_000;
type Ctx = { from?: string } | undefined;
const html = (body: string) => ({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body });

export async function installLocalAuth(
  server: Record<string, unknown>,
  deps: { kv: KeyValueStore; auth: AuthService; base: () => string; env: Record<string, string | undefined> },
): Promise<LocalAccounts> {
  const accounts = new LocalAccounts(deps.kv, deps.auth, mailerFromEnv(deps.env), settingsFromEnv(deps.env));
  const register = server.register_auth_service as (o: Record<string, unknown>) => Promise<unknown>;
  await register({
    require_context: true,
    get_token: (scope: { headers: [string, string][] }) => {
      for (const [name, value] of scope.headers) {
        if (name === 'x-local-auth' && value) return value;
        if (name === 'cookie') {
          const m = /(?:^|;\s*)hypha_local_token=([^;]+)/.exec(value);
          if (m) return decodeURIComponent(m[1]!);
        }
      }
      return null;
    },
    index_handler: (_scope?: unknown, _context?: Ctx) => html(localLoginPageHtml(deps.base())),
    profile: () => html(localProfilePageHtml(deps.base())),
    signup: declare((name?: string, email?: string, password?: string) => accounts.signup(name, email, password), 'signup', 'Create a local account.', {
      name: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
    }),
    verify_email: declare((email?: string, code?: string) => accounts.verifyEmail(email, code), 'verify_email', 'Verify the e-mail of a new account with its code.', {
      email: { type: 'string' },
      code: { type: 'string' },
    }),
    resend_code: declare((email?: string) => accounts.resendCode(email), 'resend_code', 'Send the verification code again.', { email: { type: 'string' } }),
    login: declare(async (email?: string, password?: string, workspace?: string, key?: string, context?: Ctx) => {
      const { account, ...result } = await accounts.login(email, password, workspace, context?.from ?? 'unknown');
      if (result.success && key && account) {
        // Completes a start()/check() login session (the same record `report` writes).
        const pending = await deps.kv.get(`login_key:${key}`);
        if (pending !== null) {
          const info = { token: result.token, workspace: result.workspace, expires_in: 24 * 3600, email: account.email, email_verified: account.email_verified, name: account.name, nickname: account.name, user_id: account.id, picture: null };
          await deps.kv.set(`login_key:${key}`, JSON.stringify(info), { ttlMs: LOGIN_TTL_MS });
        }
      }
      return result;
    }, 'login', 'Log in with e-mail and password; with a login key, also completes that login session.', {
      email: { type: 'string' },
      password: { type: 'string' },
      workspace: { type: ['string', 'null'] },
      key: { type: ['string', 'null'], description: 'Key of a login session started with start().' },
    }),
    update_profile: declare(
      (name?: string, current_password?: string, new_password?: string, user_email?: string) => accounts.updateProfile(name, current_password, new_password, user_email),
      'update_profile',
      'Change the name or password of the logged-in account.',
      { name: { type: ['string', 'null'] }, current_password: { type: ['string', 'null'] }, new_password: { type: ['string', 'null'] }, user_email: { type: ['string', 'null'] } },
    ),
  });
  return accounts;
}
