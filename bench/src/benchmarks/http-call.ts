/** 6. HTTP: a service call over HTTP vs a bare express handler returning the same JSON. */
import { startRequiredChild } from '../harness/child.js';
import { phase } from '../harness/durations.js';
import { measureLatency, measureThroughput, type Throughput } from '../harness/measure.js';
import { attempt, figure, unavailable, type Outcome } from '../harness/not-available.js';
import type { LatencySummary } from '../harness/stats.js';
import type { BenchContext, BenchReport, Benchmark } from '../harness/types.js';
import { echoPair, loadConnect } from '../clients/hypha-clients.js';
import { jsonGetter } from '../clients/http-get.js';
import { ARG_64B } from '../clients/payload.js';
import { startOurServer } from '../servers/our-server.js';

const IN_FLIGHT = 64;

interface HttpFigures {
  latency: LatencySummary;
  throughput: Throughput;
}

async function measureGet(ctx: BenchContext, baseUrl: string, path: string): Promise<HttpFigures> {
  const client = jsonGetter(baseUrl, IN_FLIGHT);
  try {
    const call = async (): Promise<void> => {
      const res = await client.get(path);
      if (res.status !== 200 || res.body !== ARG_64B) throw new Error(`GET ${path}: status ${res.status}, body ${JSON.stringify(res.body).slice(0, 200)}`);
    };
    const latency = await measureLatency(call, phase(ctx, 4));
    const throughput = await measureThroughput(call, { ...phase(ctx, 4), inFlight: IN_FLIGHT });
    return { latency, throughput };
  } finally {
    client.close();
  }
}

async function ours(ctx: BenchContext): Promise<Outcome<HttpFigures>> {
  return attempt('http (ours)', async () => {
    const connect = await loadConnect('ours');
    if (!connect.ok) return connect;
    const server = await startOurServer();
    if (!server.ok) return server;
    try {
      const pair = await echoPair(connect.value, server.value.httpUrl);
      try {
        const [workspaceAndClient, serviceName] = (await pair.provider.registerService({ id: 'echo-http', config: { visibility: 'public' }, echo: (value: unknown) => value })).id.split(':');
        const workspace = workspaceAndClient.split('/')[0];
        const serviceId = `${workspaceAndClient.split('/')[1]}:${serviceName}`;
        const path = `/${workspace}/services/${encodeURIComponent(serviceId)}/echo?value=${ARG_64B}`;
        const probe = await jsonGetter(server.value.httpUrl).get(path);
        if (probe.status === 404) return unavailable(`our server answers 404 for GET /{workspace}/services/{service}/{function} (HTTP service routes not implemented yet)`);
        return { ok: true, value: await measureGet(ctx, server.value.httpUrl, path) };
      } finally {
        await pair.close();
      }
    } finally {
      await server.value.child.stop();
    }
  });
}

export const httpCall: Benchmark = {
  id: '6',
  title: 'HTTP service call',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const express = await startRequiredChild({ script: 'floors/express-json-server.ts' });
    let floor: HttpFigures;
    try {
      floor = await measureGet(ctx, `http://127.0.0.1:${String(express.info.port)}`, `/bench/services/echo/echo?value=${ARG_64B}`);
    } finally {
      await express.stop();
    }
    const mine = await ours(ctx);
    return {
      id: this.id,
      title: this.title,
      rows: [
        { metric: 'p50 latency', unit: 'µs', floor: { label: 'bare express handler', value: floor.latency.p50 }, ours: figure('our server HTTP route', mine, (f) => f.latency.p50) },
        { metric: 'p99 latency', unit: 'µs', floor: { label: 'bare express handler', value: floor.latency.p99 }, ours: figure('our server HTTP route', mine, (f) => f.latency.p99) },
        { metric: `throughput, ${IN_FLIGHT} in flight`, unit: 'req/s', floor: { label: 'bare express handler', value: floor.throughput.callsPerSec }, ours: figure('our server HTTP route', mine, (f) => f.throughput.callsPerSec) },
      ],
      notes: ['The service function is `echo(value)`: the HTTP route passes query parameters as keyword arguments, matched to parameter names.', 'GET with the 64 B argument in the query string, keep-alive connections, JSON response; no target is set for HTTP.'],
    };
  },
};
