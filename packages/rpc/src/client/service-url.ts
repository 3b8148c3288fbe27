/** The parts of a service URL `http(s)://host/<workspace>/services/[<client>:]<service>[@<app>]`. */
export interface ParsedServiceUrl {
  serverUrl: string;
  workspace: string;
  clientId: string;
  serviceId: string;
  appId: string;
}

const SERVICE_URL =
  /^(https?:\/\/[^/]+)\/([a-z0-9_-]+)\/services\/(?:([a-zA-Z0-9_-]+):)?([a-zA-Z0-9_-]+)(?:@([a-zA-Z0-9_-]+))?/;

/**
 * Split a service URL as hypha-rpc's `parseServiceUrl` does; client and app default to `*`.
 *
 * @example
 * parseServiceUrl('https://hypha.aicell.io/public/services/hypha-login');
 * // { serverUrl: 'https://hypha.aicell.io', workspace: 'public', clientId: '*', serviceId: 'hypha-login', appId: '*' }
 */
export function parseServiceUrl(url: string): ParsedServiceUrl {
  const match = SERVICE_URL.exec(url.replace(/\/$/, ''));
  if (!match) {
    throw new Error(`Service URL does not match http(s)://<host>/<workspace>/services/[<client_id>:]<service_id>[@<app_id>]: ${url}`);
  }
  return {
    serverUrl: match[1]!,
    workspace: match[2]!,
    clientId: match[3] ?? '*',
    serviceId: match[4]!,
    appId: match[5] ?? '*',
  };
}
