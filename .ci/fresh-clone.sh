#!/usr/bin/env bash
# README command 1 on a clean clone of this checkout: `pnpm install && pnpm --filter server start`
# must serve the browser bundles, the login page and a service call with no other build step.
# usage: .ci/fresh-clone.sh [PORT]   (default 9527, the README's)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
port=${1:-9527}
url=http://127.0.0.1:$port
log() { printf '[fresh-clone] %s\n' "$*"; }

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

git clone -q "$src" "$tmp/repo"
cd "$tmp/repo"
log "pnpm install"; SECONDS=0
pnpm install --frozen-lockfile --prefer-offline >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
log "pnpm --filter server start (port $port; install took ${SECONDS}s)"; SECONDS=0
HYPHA_PORT=$port setsid pnpm --filter server start >"$tmp/server.log" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 1 240); do
  if curl -sf "$url/health/readiness" >/dev/null; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ "$ready" != 1 ]; then cat "$tmp/server.log"; echo "server did not become ready" >&2; exit 1; fi

for name in hypha-rpc-websocket.js hypha-rpc-websocket.min.js hypha-rpc-websocket.mjs; do
  curl -sf "$url/assets/$name" -o "$tmp/$name" || { echo "GET /assets/$name failed" >&2; exit 1; }
  grep -q connectToServer "$tmp/$name" || { echo "/assets/$name is not the client bundle" >&2; exit 1; }
done
curl -sfL "$url/login" | grep -qi '<html' || { echo "GET /login did not give the login page" >&2; exit 1; }

# One service call: a hypha-rpc client registers a service and calls it over WebSocket and HTTP,
# and calls the login service with keyword arguments.
(cd apps/server && HYPHA_URL=$url node --input-type=module -e "
import { hyphaWebsocketClient } from 'hypha-rpc';
import { WebSocket } from 'ws';
globalThis.WebSocket ??= WebSocket; // Node 20 has no global WebSocket
const url = process.env.HYPHA_URL;
const api = await hyphaWebsocketClient.connectToServer({ server_url: url });
await api.registerService({ id: 'ci-echo', config: { visibility: 'public' }, echo: (x) => x });
const svc = await api.getService('ci-echo');
if ((await svc.echo('over ws')) !== 'over ws') throw new Error('WebSocket call gave a wrong answer');
const res = await fetch(url + '/' + api.config.workspace + '/services/ci-echo/echo?x=42');
const body = await res.text();
if (res.status !== 200 || body.trim() !== '42') throw new Error('HTTP call gave ' + res.status + ': ' + body);
// Keyword arguments reach an in-server service of the bundled server by name.
const login = await api.getService('public/hypha-login');
const { key } = await login.start();
await login.report({ key, token: await api.generateToken(), email: 'ci@example.com', _rkwargs: true });
const profile = await login.check({ key, timeout: 1, profile: true, _rkwargs: true });
if (profile.email !== 'ci@example.com') throw new Error('the started server lost keyword arguments: report(email=...) gave ' + profile.email);
await api.disconnect();
") >"$tmp/client.log" 2>&1 || { cat "$tmp/client.log"; exit 1; }
log "ok (${SECONDS}s after install): bundles, login page and a service call served by a fresh clone"
