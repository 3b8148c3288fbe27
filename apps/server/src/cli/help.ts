/** `hypha-server --help`: every flag with its environment variable and meaning. */
import { FLAGS } from '../config.js';

/** One line per flag; `loadConfig` knows exactly these flags (a test keeps both in step). */
export const FLAG_HELP: Record<string, string> = {
  host: 'interface to bind (default 127.0.0.1)',
  port: 'port to listen on (default 9527; 0 picks a free one)',
  'base-path': 'prefix of every route, e.g. /hypha (default /)',
  'public-base-url': 'the URL clients are told to use (default http://<host>:<port>)',
  'data-dir': 'where embedded state lives (default ./.data)',
  'redis-uri': 'redis://... to run as one instance of a cluster (default: in-process bus)',
  'root-token': 'a secret of at least 32 characters that authenticates as root',
  'server-id': 'unique id of this instance (default: generated, kept in --data-dir)',
  'redis-key-prefix': 'prefix of every Redis key',
  'database-uri': 'PostgreSQL URI of the artifact database (default: PGlite in --data-dir)',
  'enable-s3': 'store files in S3 (needs --endpoint-url, --access-key-id, --secret-access-key)',
  'endpoint-url': 'S3 endpoint',
  'endpoint-url-public': 'S3 endpoint as clients reach it (presigned URLs)',
  'access-key-id': 'S3 access key id',
  'secret-access-key': 'S3 secret access key',
  'region-name': 'S3 region',
  'workspace-bucket': 'S3 bucket (default hypha-workspaces)',
  'enable-s3-for-anonymous-users': 'let anonymous users write artifacts in their own workspace',
  'enable-s3-proxy': 'serve S3 through this server at /s3/... for clients that cannot reach S3 directly',
  'zenodo-url': 'base URL of publish(to="zenodo") (default https://zenodo.org)',
  'sandbox-zenodo-url': 'base URL of publish(to="sandbox_zenodo") (default https://sandbox.zenodo.org)',
  'allow-origins': 'comma list of CORS origins (default *)',
  'enable-mcp': 'serve services to MCP clients at /{workspace}/mcp/{service_id}/mcp',
  'enable-a2a': 'serve A2A agents at /{workspace}/a2a/{service_id}',
  'enable-server-apps': 'the server-apps controller (needs the artifact manager: --data-dir or --database-uri)',
  'enable-terminal-worker': 'the terminal worker (app type terminal, shells in a pty; public unless TERMINAL_AUTHORIZED_WORKSPACES)',
  'embedding-model-dir': 'directory of local ONNX embedding models as <dir>/<org>/<name> (needs @huggingface/transformers; nothing is downloaded)',
  'enable-service-search': 'search_services: services with docs are embedded at registration and searched by text or vector',
  'service-embedding-model': 'model for service search: hashing-384 (built in, default) or <org>/<name> in --embedding-model-dir',
  'startup-functions': 'PATH_OR_PACKAGE:export ... ES module functions awaited at boot with a server client',
  'static-mounts': '/route:DIR ... directories served as static files',
  'enable-local-auth': 'local accounts (sign up, e-mail verification, password login)',
  'disable-agent-skills': 'do not serve /{workspace}/agent-skills/',
  'enable-admin-terminal': 'a JavaScript REPL over the server objects, in admin-utils: start_terminal, execute_command, ... (needs --root-token)',
  interactive: 'open a JavaScript REPL over the running server (server, core, auth, api)',
};

const envName = (flag: string) => `HYPHA_${flag.toUpperCase().replace(/-/g, '_')}`;

export function helpText(version: string): string {
  const flags = Object.keys(FLAGS);
  const width = Math.max(...flags.map((f) => f.length)) + 4;
  const lines = [
    `hypha-server ${version}: a Hypha server (hypha-rpc 0.21 protocol)`,
    '',
    'Usage: hypha-server [--flag value | --flag=value] ...',
    '',
    'Every flag can also be given as an environment variable HYPHA_<FLAG> (shown below); flags win.',
    'List flags take several values (--static-mounts /a:x /b:y) or repeat; their variables split on spaces.',
    '',
    'Flags:',
  ];
  for (const flag of flags) lines.push(`  --${flag.padEnd(width)}${FLAG_HELP[flag] ?? ''}  [${envName(flag)}]`);
  lines.push('  --help' + ' '.repeat(width - 2) + 'show this help', '  --version' + ' '.repeat(width - 5) + 'print the version', '');
  lines.push('Environment only: JWT_SECRET / HYPHA_JWT_SECRET, RECONNECTION_TOKEN_LIFE_TIME, AUTH0_*, SMTP_* (local auth mail).');
  return lines.join('\n');
}
