/** CLI entry: `pnpm --filter server start [--port 9000] ...`. */
import { loadConfig, ConfigError } from './config.js';
import { DataDirLockedError } from './data-dir-lock.js';
import { startServer } from './start-server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`hypha-server: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  let server;
  try {
    server = await startServer(config);
  } catch (err) {
    // Refusals the user can act on get one line, not a stack trace.
    if (err instanceof ConfigError || err instanceof DataDirLockedError) {
      console.error(`hypha-server: ${err.message}`);
      process.exit(2);
    }
    throw err;
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
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
