import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer, type RunningServer } from '../src/index.js';

// The reference's metric names on /metrics, counters that move with traffic, and the /health
// diagnostics document (memory, connections) that its leak-detection test reads.

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
});

afterAll(async () => {
  await server?.close();
});

/** The value of an unlabelled sample, or null when the metric is absent. */
async function metric(name: string): Promise<number | null> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

describe('/metrics', () => {
  it('exposes the metric families of the reference', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    // counters end in _total (Python's client adds it; its parser strips it again)
    for (const name of ['websocket_connections', 'websocket_connections_established_total', 'rpc_call_total', 'client_requests_total', 'client_load_current', 'event_bus_total', 'redis_pubsub_latency_seconds']) {
      expect(families, name).toContain(name);
    }
  });

  it('counts frames delivered through the event bus, and reports the bus probe latency', async () => {
    const delivered = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('event_bus_total{event="message",status="delivered"}'));
      return line ? Number(line.split(' ').pop()) : null;
    };
    const before = (await delivered()) ?? -1;
    const api: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'bus-metrics-client' });
    try {
      for (let i = 0; i < 3; i++) await api.log(`request ${i}`);
      expect(await delivered()).toBeGreaterThanOrEqual(before + 3);
      const latency = await metric('redis_pubsub_latency_seconds');
      expect(latency).not.toBeNull();
      expect(latency!).toBeGreaterThanOrEqual(0);
      expect(latency!).toBeLessThan(1);
    } finally {
      await api.disconnect();
    }
  });

  it('counts established WebSocket connections and client requests', async () => {
    const established = (await metric('websocket_connections_established_total')) ?? -1;
    const requests = (await metric('client_requests_total')) ?? -1;
    const api: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'metrics-client' });
    try {
      for (let i = 0; i < 3; i++) await api.log(`request ${i}`);
      expect(await metric('websocket_connections_established_total')).toBe(established + 1);
      expect(await metric('client_requests_total')).toBeGreaterThanOrEqual(requests + 3);
      expect(await metric('websocket_connections')).toBeGreaterThanOrEqual(1);
      expect(await metric('client_load_current')).toBeGreaterThan(0);
    } finally {
      await api.disconnect();
    }
  });
});

describe('/health', () => {
  it('reports memory and connections as JSON', async () => {
    const api = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'health-client' });
    try {
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.status).toBe('HEALTHY');
      expect(body.memory.rss_mb).toBeGreaterThan(0);
      expect(body.connections.active).toBeGreaterThanOrEqual(1);
      expect(body.connections.total_created).toBeGreaterThanOrEqual(body.connections.active);
      expect(body.objects.connection_objects).toBeGreaterThanOrEqual(1);
      expect(body.uptime_seconds).toBeGreaterThanOrEqual(0);
    } finally {
      await api.disconnect();
    }
  });
});
