/**
 * MCP `tools/call` through `/{ws}/mcp/{svc}/mcp` (official SDK client, Streamable HTTP) next to
 * its floor from the same run: the same schema function called as a plain HTTP service call
 * (`POST /{ws}/services/{svc}/{fn}`). Both go through one in-process server and one provider.
 * Usage: node --conditions=@hypha/source --import tsx src/standalone/mcp-call.ts [--quick]
 */
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectToServer, schemaFunction } from '@hypha/rpc';
import { startServer } from '@hypha/server';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 200 : 2_000;
const WARMUP = 50;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function timed(n: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await call();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    out.push(performance.now() - t0);
  }
  return out;
}

const server = await startServer({ port: 0, quiet: true, enableMcp: true });
const provider = await connectToServer({ server_url: server.url, client_id: 'bench-provider' } as Parameters<typeof connectToServer>[0]);
const ws = (provider as unknown as { config: { workspace: string } }).config.workspace;
await (provider as unknown as { registerService(s: unknown): Promise<unknown> }).registerService({
  id: 'calc',
  config: { visibility: 'public' },
  add: schemaFunction((a: number, b: number) => a + b, {
    name: 'add',
    description: 'Add two numbers',
    parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  } as never),
});

const http = await timed(ROUNDS, async () => {
  const res = await fetch(`${server.url}/${ws}/services/calc/add`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ a: 1, b: 2 }),
  });
  if ((await res.json()) !== 3) throw new Error('plain HTTP call gave a wrong result');
});

const client = new Client({ name: 'bench', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/${ws}/mcp/calc/mcp`)));
const mcp = await timed(ROUNDS, async () => {
  const r = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
  if ((r.content as Array<{ text: string }>)[0]!.text !== '3') throw new Error('MCP call gave a wrong result');
});
await client.close();
await (provider as unknown as { disconnect(): Promise<void> }).disconnect();
await server.close();

const row = (name: string, xs: number[]) => `| ${name} | ${(p50(xs) * 1000).toFixed(0)} µs | ${(mean(xs) * 1000).toFixed(0)} µs | ${(1000 / mean(xs)).toFixed(0)} calls/s |`;
process.stdout.write(
  [
    `MCP tools/call vs plain HTTP service call, ${ROUNDS} sequential calls each`,
    '| path | p50 | mean | throughput |',
    '| --- | --- | --- | --- |',
    row('floor: POST /{ws}/services/calc/add', http),
    row('ours: MCP tools/call (Streamable HTTP)', mcp),
    `ratio (p50, ours / floor): ${(p50(mcp) / p50(http)).toFixed(2)}`,
    '',
  ].join('\n'),
);
