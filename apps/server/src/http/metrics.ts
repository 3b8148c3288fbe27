/**
 * Prometheus metrics (`GET /metrics`, server-api §3.1). One registry per server. Gauges and
 * totals that the core already tracks are read at scrape time (nothing added to the hot path);
 * HTTP calls and the `/rpc` transport feed their own counters.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HyphaCore } from '@hypha/workspace';

/** A counter mirroring a monotonically growing number read at scrape time. */
function mirrorCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > last) this.inc(now - last);
      last = now;
    },
  });
}

export class HttpMetrics {
  readonly registry = new Registry();
  private readonly httpCalls: Counter<'status'>;
  private readonly httpCallSeconds: Histogram<'status'>;
  readonly streamFramesIn: Counter;
  readonly streamFramesOut: Counter;
  private streamCount = 0;
  private streamsOpened = 0;
  /** (time, frames routed) at recent scrapes, for `client_load_current` (requests per minute). */
  private loadSamples: Array<[number, number]> = [];

  constructor(core: HyphaCore) {
    const r = this.registry;
    const streams = () => this.streamCount;
    new Gauge({
      name: 'websocket_connections',
      help: 'Clients connected over WebSocket',
      registers: [r],
      collect() {
        this.set(Math.max(0, core.gateway.sessionCount - streams()));
      },
    });
    new Gauge({
      name: 'http_streaming_connections',
      help: 'Clients connected over the HTTP streaming transport (/rpc)',
      registers: [r],
      collect() {
        this.set(streams());
      },
    });
    new Gauge({
      name: 'router_attached_peers',
      help: 'Peers attached to this instance\'s router (clients and in-server peers)',
      registers: [r],
      collect() {
        this.set(core.router.size);
      },
    });
    // The reference's names: prom-client keeps a counter's name as given, Python's adds `_total`.
    mirrorCounter(r, 'websocket_connections_established_total', 'Total number of websocket connections ever established', () =>
      core.gateway.totals.opened - this.streamsOpened,
    );
    mirrorCounter(r, 'client_requests_total', 'Total requests from all clients (frames routed)', () => core.router.stats.routed);
    const load = () => this.requestsPerMinute(core.router.stats.routed);
    new Gauge({
      name: 'client_load_current',
      help: 'Current load (requests per minute, over the last minute of scrapes)',
      registers: [r],
      collect() {
        this.set(load());
      },
    });
    mirrorCounter(r, 'rpc_messages_in_total', 'RPC frames routed from peers of this instance', () => core.router.stats.routed);
    mirrorCounter(r, 'rpc_messages_out_total', 'RPC frames delivered to peers of this instance', () => core.router.stats.delivered);
    mirrorCounter(r, 'rpc_call_total', 'RPC method calls routed by this instance', () => core.router.stats.calls);
    mirrorCounter(r, 'rpc_call_errors_total', 'Frames rejected by the router (dead target, forged sender, ...)', () => core.router.stats.rejected);
    // One health probe per scrape feeds the three event-bus metrics.
    let probed: { at: number; result: Promise<{ healthy: boolean; seconds: number }> } | null = null;
    const probe = () => {
      if (probed === null || Date.now() - probed.at > 1000) {
        const t0 = performance.now();
        probed = { at: Date.now(), result: core.bus.health().then((h) => ({ healthy: h.healthy, seconds: (performance.now() - t0) / 1000 })) };
      }
      return probed.result;
    };
    new Gauge({
      name: 'event_bus_healthy',
      help: '1 when the event bus reports healthy, else 0',
      registers: [r],
      async collect() {
        this.set((await probe()).healthy ? 1 : 0);
      },
    });
    new Gauge({
      name: 'redis_pubsub_latency_seconds',
      help: 'Round trip of the event bus health probe (Redis PING in a cluster; near 0 in memory)',
      registers: [r],
      async collect() {
        this.set((await probe()).seconds);
      },
    });
    const seen = { delivered: 0, undelivered: 0 };
    new Counter({
      name: 'event_bus_total',
      help: 'Events on the event bus, by event and status (frames delivered or undeliverable, failed health probes)',
      labelNames: ['event', 'status'],
      registers: [r],
      async collect() {
        const health = await probe();
        for (const status of ['delivered', 'undelivered'] as const) {
          const now = core.router.stats[status];
          this.inc({ event: 'message', status }, now - seen[status]);
          seen[status] = now;
        }
        this.inc({ event: 'health', status: 'failure' }, health.healthy ? 0 : 1);
      },
    });
    this.httpCalls = new Counter({
      name: 'http_service_calls_total',
      help: 'Service calls over HTTP (/{ws}/services/{id}/{fn}) by status',
      labelNames: ['status'],
      registers: [r],
    });
    this.httpCallSeconds = new Histogram({
      name: 'http_service_call_duration_seconds',
      help: 'Latency of service calls over HTTP',
      labelNames: ['status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [r],
    });
    this.streamFramesIn = new Counter({ name: 'http_streaming_frames_in_total', help: 'Frames POSTed to /rpc', registers: [r] });
    this.streamFramesOut = new Counter({ name: 'http_streaming_frames_out_total', help: 'Frames written to /rpc streams', registers: [r] });
  }

  observeHttpCall(status: number, seconds: number): void {
    const label = String(status);
    this.httpCalls.inc({ status: label });
    this.httpCallSeconds.observe({ status: label }, seconds);
  }

  streamOpened(): void {
    this.streamCount++;
    this.streamsOpened++;
  }

  /** Frames routed per minute since the oldest scrape of the last minute (0 on the first scrape). */
  private requestsPerMinute(routed: number, now = Date.now()): number {
    this.loadSamples.push([now, routed]);
    while (this.loadSamples.length > 2 && now - this.loadSamples[1][0] >= 60_000) this.loadSamples.shift();
    const [t0, r0] = this.loadSamples[0];
    return now > t0 ? ((routed - r0) * 60_000) / (now - t0) : 0;
  }

  streamClosed(): void {
    this.streamCount--;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
