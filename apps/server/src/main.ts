/** CLI entry: `hypha-server [--port 9000] ...` (also `pnpm --filter server start ...`). */
import { loadConfig, ConfigError } from './config.js';
import { startServer } from './start-server.js';
import { helpText } from './cli/help.js';
import { serverVersion } from './cli/version.js';
import { startFailureLine } from './cli/start-errors.js';
import { startInteractive } from './cli/interactive.js';

function fail(line: string, code: number): never {
  console.error(`hypha-server: ${line}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText(serverVersion()));
    return;
  }
  if (argv.includes('--version')) {
    console.log(serverVersion());
    return;
  }
  let config;
  try {
    config = loadConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  let server;
  try {
    server = await startServer(config);
  } catch (err) {
    // Refusals the user can act on get one line, not a stack trace.
    fail(startFailureLine(err, config.host, config.port), err instanceof ConfigError ? 2 : 1);
  }
  // Handle stop signals before announcing the server: a supervisor may signal as soon as it reads the line.
  // A second signal while stopping waits for the same shutdown instead of starting another.
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= server.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const base = config.publicBaseUrl ?? server.url;
  console.log(`Hypha server ${server.serverId} listening on ${server.url} (WebSocket: ${base.replace(/^http/, 'ws')}/ws)`);
  // One JSON line for process supervisors and tests: {"event":"hypha-server-listening",...}.
  console.log(
    JSON.stringify({ event: 'hypha-server-listening', server_id: server.serverId, url: server.url, ws_url: `${base.replace(/^http/, 'ws')}/ws`, pid: process.pid }),
  );
  if (config.rootToken) console.log('Admin access: connect with the token given by --root-token (HYPHA_ROOT_TOKEN).');
  else console.log('Admin access: restart with --root-token <at least 32 characters> and connect with that token.');
  if (config.interactive) {
    process.removeListener('SIGINT', stop);
    console.log('Interactive shell: server, core, auth, api, connect(workspace); top-level await works; .exit stops the server.');
    await startInteractive(server, { onExit: () => process.exit(0) });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
