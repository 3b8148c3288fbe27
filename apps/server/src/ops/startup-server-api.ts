/**
 * The `server` object startup functions receive (server-api §6.8, server-api-2 §G): a real
 * `@hypha/rpc` client connected to this server's `public` workspace as root — the same object
 * `connectToServer` returns — plus `register_auth_service`, `set_parse_token_function`,
 * `set_generate_token_function`, `set_get_token_function`, `get_root_user`,
 * `get_workspace_interface` and `store`.
 */
import { connectToServer } from '@hypha/rpc';
import type { HyphaServer } from '@hypha/rpc';
import { createRootUser } from '@hypha/auth';
import type { AuthService, CustomGenerateToken, CustomGetToken, CustomParseToken } from '@hypha/auth';
import type { HyphaCore } from '@hypha/workspace';
import type { LoginService } from '../http/login-service.js';

export interface StartupApiDeps {
  core: HyphaCore;
  auth: AuthService;
  login: LoginService;
  /** Where this process listens (`http://host:port<base-path>`). */
  localBaseUrl: string;
}

/** Options of `register_auth_service` (the reference's keyword names; camelCase is accepted too). */
export interface RegisterAuthServiceOptions {
  parse_token?: CustomParseToken;
  generate_token?: CustomGenerateToken;
  get_token?: CustomGetToken;
  /** A whole `hypha-login` service to register instead of the default one. */
  login_service?: Record<string, unknown>;
  index_handler?: (...args: unknown[]) => unknown;
  start_handler?: (...args: unknown[]) => unknown;
  check_handler?: (...args: unknown[]) => unknown;
  report_handler?: (...args: unknown[]) => unknown;
  /** Hand the caller's context to every function as its last argument (our extension). */
  require_context?: boolean;
  /** Any other function becomes an extra function of `hypha-login`. */
  [extra: string]: unknown;
}

const SNAKE: Record<string, string> = {
  parseToken: 'parse_token',
  generateToken: 'generate_token',
  getToken: 'get_token',
  loginService: 'login_service',
  indexHandler: 'index_handler',
  startHandler: 'start_handler',
  checkHandler: 'check_handler',
  reportHandler: 'report_handler',
};

function fnOrUndefined(value: unknown, name: string): ((...args: never[]) => unknown) | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'function') throw new TypeError(`register_auth_service: ${name} must be a function, got ${typeof value}`);
  return value as (...args: never[]) => unknown;
}

/** The clients opened for startup functions, closed with the server. */
export class StartupApi {
  private readonly clients: HyphaServer[] = [];

  constructor(private readonly deps: StartupApiDeps) {}

  /** A root client of `workspace` over this server's own `/ws`. */
  async connect(workspace: string): Promise<HyphaServer> {
    const token = this.deps.auth.generateToken(createRootUser(workspace), { expiresIn: 24 * 3600 });
    const client = await connectToServer({ server_url: this.deps.localBaseUrl, workspace, token, client_id: `startup-${workspace}-${Date.now().toString(36)}` });
    this.clients.push(client);
    return client;
  }

  /** The object handed to startup functions. */
  async server(): Promise<Record<string, unknown>> {
    const { auth, core, login } = this.deps;
    const server = (await this.connect('public')) as unknown as Record<string, unknown>;
    const registerAuthService = async (options: RegisterAuthServiceOptions = {}) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(options)) o[SNAKE[k] ?? k] = v;
      const { parse_token, generate_token, get_token, login_service, index_handler, start_handler, check_handler, report_handler, require_context, ...extra } = o;
      auth.custom.parseToken = fnOrUndefined(parse_token, 'parse_token') as CustomParseToken | undefined;
      auth.custom.generateToken = fnOrUndefined(generate_token, 'generate_token') as CustomGenerateToken | undefined;
      auth.custom.getToken = fnOrUndefined(get_token, 'get_token') as CustomGetToken | undefined;
      let service: Record<string, unknown>;
      if (login_service !== undefined && login_service !== null) {
        if (typeof login_service !== 'object') throw new TypeError('register_auth_service: login_service must be a service object');
        service = { ...(login_service as Record<string, unknown>), id: 'hypha-login' };
      } else {
        const defaults = login.service();
        service = {
          ...defaults,
          index: fnOrUndefined(index_handler, 'index_handler') ?? defaults.index,
          start: fnOrUndefined(start_handler, 'start_handler') ?? defaults.start,
          check: fnOrUndefined(check_handler, 'check_handler') ?? defaults.check,
          report: fnOrUndefined(report_handler, 'report_handler') ?? defaults.report,
        };
        for (const [name, fn] of Object.entries(extra)) service[name] = fnOrUndefined(fn, name);
      }
      service.type = 'functions';
      service.config = { ...((service.config as Record<string, unknown>) ?? {}), visibility: 'public', require_context: require_context === true };
      // The default registration goes first so that `public/hypha-login` names exactly one service.
      await login.stop();
      return (server.register_service as HyphaServer['register_service'])(service, { overwrite: true });
    };
    return Object.assign(server, {
      register_auth_service: registerAuthService,
      registerAuthService,
      set_parse_token_function: (fn: CustomParseToken) => void (auth.custom.parseToken = fnOrUndefined(fn, 'parse_token') as CustomParseToken),
      set_generate_token_function: (fn: CustomGenerateToken) => void (auth.custom.generateToken = fnOrUndefined(fn, 'generate_token') as CustomGenerateToken),
      set_get_token_function: (fn: CustomGetToken) => void (auth.custom.getToken = fnOrUndefined(fn, 'get_token') as CustomGetToken),
      get_root_user: () => createRootUser(),
      get_workspace_interface: (workspace: string) => this.connect(workspace),
      /** The server's internals (workspace core and auth), as the reference's `store`. */
      store: { core, auth, register_public_service: (svc: Record<string, unknown>) => (server.register_service as HyphaServer['register_service'])(svc, { overwrite: true }) },
    });
  }

  async close(): Promise<void> {
    for (const client of this.clients.splice(0)) await client.disconnect();
  }
}
