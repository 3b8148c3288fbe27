// hypha-rpc's WebSocket client uses the global WebSocket (and its OPEN/CLOSED constants);
// Node 20 has none, so the `ws` implementation stands in.
import { WebSocket } from 'ws';

if (!(globalThis as { WebSocket?: unknown }).WebSocket) {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}
