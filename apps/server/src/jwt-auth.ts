/**
 * Internal HS256 tokens with the reference claims (server-api §2.6), revocation in the event bus's
 * key-value side (`revoked_token:<jwt>`), anonymous and root users. Used until `@hypha/auth`
 * exposes its facade; the contract is the workspace package's AuthService.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { KeyValueStore } from '@hypha/eventbus';
import type { PermissionCode, UserInfo } from '@hypha/auth';
import type { AuthService } from '@hypha/workspace';

export interface JwtAuthOptions {
  secret: string;
  kv: KeyValueStore;
  rootToken?: string | null;
  issuer?: string;
  audience?: string;
  namespace?: string;
}

const WORDS_A = ['eager', 'quiet', 'brave', 'gentle', 'lucky', 'swift', 'calm', 'bold', 'witty', 'noble', 'sunny', 'misty'];
const WORDS_B = ['heron', 'lake', 'fox', 'river', 'pine', 'otter', 'falcon', 'maple', 'comet', 'willow', 'cedar', 'finch'];

export function readableId(): string {
  const a = WORDS_A[randomInt(WORDS_A.length)];
  const b = WORDS_B[randomInt(WORDS_B.length)];
  return `${a}-${b}-${String(randomInt(100_000_000)).padStart(8, '0')}`;
}

export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

export class JwtAuthService implements AuthService {
  private readonly secret: string;
  private readonly kv: KeyValueStore;
  private readonly rootToken: string | null;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly ns: string;

  constructor(o: JwtAuthOptions) {
    this.secret = o.secret;
    this.kv = o.kv;
    this.rootToken = o.rootToken ?? null;
    this.issuer = o.issuer ?? 'https://amun.ai/';
    this.audience = o.audience ?? 'https://amun-ai.eu.auth0.com/api/v2/';
    this.ns = o.namespace ?? 'https://amun.ai/';
  }

  isRootToken(token: string): boolean {
    if (!this.rootToken) return false;
    const a = Buffer.from(token);
    const b = Buffer.from(this.rootToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  rootUser(): UserInfo {
    return {
      id: 'root',
      roles: ['admin'],
      is_anonymous: false,
      email: null,
      parent: null,
      expires_at: null,
      current_workspace: '*',
      scope: { current_workspace: '*', workspaces: { '*': 'a' }, client_id: null, extra_scopes: [] },
    };
  }

  createAnonymousUser(): UserInfo {
    const id = `anonymouz-${readableId()}`;
    return {
      id,
      roles: ['anonymous'],
      is_anonymous: true,
      email: null,
      parent: null,
      expires_at: Math.floor(Date.now() / 1000) + 600,
      current_workspace: null,
      scope: { current_workspace: `ws-user-${id}`, workspaces: { [`ws-user-${id}`]: 'a' }, client_id: null, extra_scopes: null as unknown as string[] },
    };
  }

  async generateToken(user: UserInfo, expiresInSeconds: number): Promise<string> {
    const parts: string[] = [];
    for (const [ws, p] of Object.entries(user.scope?.workspaces ?? {})) parts.push(`ws:${ws}#${p}`);
    if (user.scope?.client_id) parts.push(`cid:${user.scope.client_id}`);
    if (user.scope?.current_workspace) parts.push(`wid:${user.scope.current_workspace}`);
    for (const s of user.scope?.extra_scopes ?? []) parts.push(s);
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.audience,
      sub: user.id,
      iat: now,
      exp: now + Math.floor(expiresInSeconds),
      gty: 'client-credentials',
      scope: parts.join(' '),
      [`${this.ns}roles`]: user.roles ?? [],
      [`${this.ns}email`]: user.email ?? null,
    };
    if (user.parent) claims[`${this.ns}parent`] = user.parent;
    return jwt.sign(claims, this.secret, { algorithm: 'HS256', noTimestamp: true });
  }

  async parseToken(token: string): Promise<UserInfo> {
    let claims: Record<string, any>;
    try {
      claims = jwt.verify(token, this.secret, {
        algorithms: ['HS256'],
        audience: this.audience,
        issuer: this.issuer,
      }) as Record<string, any>;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new Error('The token has expired. Please fetch a new one', { cause: err });
      throw new Error(`Invalid token: ${(err as Error).message}`, { cause: err });
    }
    if ((await this.kv.get(`revoked_token:${token}`)) !== null) throw new Error('Token has been revoked');
    const workspaces: Record<string, PermissionCode> = {};
    let clientId: string | null = null;
    let current: string | null = null;
    const extra: string[] = [];
    for (const part of String(claims.scope ?? '').split(' ').filter(Boolean)) {
      if (part.startsWith('ws:')) {
        const [ws, perm] = part.slice(3).split('#') as [string, string];
        if (perm === 'r' || perm === 'rw' || perm === 'a') workspaces[ws] = perm;
      } else if (part.startsWith('cid:')) clientId = part.slice(4);
      else if (part.startsWith('wid:')) current = part.slice(4);
      else extra.push(part);
    }
    const roles: string[] = claims[`${this.ns}roles`] ?? [];
    if (roles.includes('admin')) workspaces['*'] = 'a';
    return {
      id: String(claims.sub),
      roles,
      is_anonymous: roles.includes('anonymous'),
      email: claims[`${this.ns}email`] ?? null,
      parent: claims[`${this.ns}parent`] ?? null,
      expires_at: claims.exp ?? null,
      current_workspace: current,
      scope: { current_workspace: current, workspaces, client_id: clientId, extra_scopes: extra },
    };
  }

  async revokeToken(token: string): Promise<void> {
    const user = await this.parseToken(token);
    const ttl = Math.max(1, Math.floor((user.expires_at ?? 0) - Date.now() / 1000));
    await this.kv.set(`revoked_token:${token}`, 'revoked', { ttlMs: ttl * 1000 });
  }
}
