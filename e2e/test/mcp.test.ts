/**
 * MCP over HTTP (`--enable-mcp`) with the official MCP SDK client against services registered by
 * the unmodified npm hypha-rpc client: auto-wrapped, inline and native services, Streamable HTTP
 * and SSE, per-caller visibility, and the bad-input cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const { schemaFunction } = hyphaWebsocketClient as unknown as { schemaFunction: (fn: unknown, schema: unknown) => unknown };

let ts: TestServer;
let provider: Server;
let ws: string;
let token: string;
const pool = new ClientPool(() => ts.url);

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required });

beforeAll(async () => {
  ts = await startTestServer({ enableMcp: true });
  provider = await pool.connect('hypha-rpc', { client_id: 'mcp-provider' });
  ws = provider.config.workspace;
  token = await provider.generateToken();
  await provider.registerService({
    id: 'calc',
    name: 'Calculator',
    description: 'Arithmetic over MCP',
    docs: 'Adds and describes numbers.',
    version_note: 'first release',
    config: { visibility: 'public' },
    add: schemaFunction((a: number, b: number) => a + b, {
      name: 'add',
      description: 'Add two numbers',
      parameters: object({ a: { type: 'number' }, b: { type: 'number' } }, ['a', 'b']),
    }),
    stats: schemaFunction((values: number[]) => ({ count: values.length, sum: values.reduce((s, v) => s + v, 0) }), {
      name: 'stats',
      description: 'Count and sum',
      parameters: object({ values: { type: 'array', items: { type: 'number' } } }, ['values']),
    }),
    fail: schemaFunction(() => {
      throw new Error('this tool always fails');
    }, { name: 'fail', description: 'Fails', parameters: object({}) }),
    hidden: () => 'no schema',
  });
  await provider.registerService({
    id: 'inline',
    type: 'mcp',
    config: { visibility: 'public' },
    tools: {
      shout: schemaFunction((text: string) => text.toUpperCase(), {
        name: 'shout',
        description: 'Upper-cases text',
        parameters: object({ text: { type: 'string' } }, ['text']),
      }),
    },
    resources: {
      readme: {
        uri: 'resource://readme',
        name: 'Readme',
        description: 'The readme',
        read: schemaFunction(() => 'Read me first.', { name: 'read', description: 'Read it', parameters: object({}) }),
      },
    },
    prompts: {
      review: {
        name: 'review',
        description: 'Ask for a review',
        read: schemaFunction((topic: string) => `Please review ${topic}.`, {
          name: 'read',
          description: 'Build the prompt',
          parameters: object({ topic: { type: 'string', description: 'What to review' } }, ['topic']),
        }),
      },
    },
  });
  await provider.registerService({
    id: 'native',
    type: 'mcp',
    config: { visibility: 'public' },
    list_tools: async () => [
      { name: 'echo', description: 'Echo back the input text', inputSchema: object({ text: { type: 'string' } }, ['text']) },
    ],
    call_tool: async (name: string, args: { text: string }) => [{ type: 'text', text: `Echo: ${args.text}` }],
    list_resources: async () => [{ uri: 'test://resource/1', name: 'Resource 1', mimeType: 'text/plain' }],
    read_resource: async (uri: string) => ({ contents: [{ uri, mimeType: 'text/plain', text: 'resource content' }] }),
  });
  await provider.registerService({ id: 'secret', config: { visibility: 'protected' }, add: schemaFunction((a: number) => a, {
    name: 'add', description: 'x', parameters: object({ a: { type: 'number' } }, ['a']) }) });
});

afterAll(async () => {
  await pool.closeAll();
  await ts?.close();
});

async function mcpClient(path: string, kind: 'http' | 'sse' = 'http', bearer?: string): Promise<Client> {
  const url = new URL(`${ts.url}/${ws}/mcp/${path}/${kind === 'http' ? 'mcp' : 'sse'}`);
  const headers = bearer ? { Authorization: `Bearer ${bearer}` } : undefined;
  const transport =
    kind === 'http'
      ? new StreamableHTTPClientTransport(url, { requestInit: { headers } })
      : new SSEClientTransport(url, { requestInit: { headers }, eventSourceInit: bearer ? { fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, ...headers } }) } : undefined });
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('MCP: auto-wrapped service', () => {
  it('lists schema functions as tools, leaves the rest out, and calls them', async () => {
    const client = await mcpClient('calc');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'fail', 'stats']);
    expect(tools.find((t) => t.name === 'add')).toMatchObject({ description: 'Add two numbers', inputSchema: { type: 'object', required: ['a', 'b'] } });
    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 5 } });
    expect(sum.content).toEqual([{ type: 'text', text: '7' }]);
    const stats = await client.callTool({ name: 'stats', arguments: { values: [1, 2, 3] } });
    expect(stats.content).toEqual([{ type: 'text', text: '{"count":3,"sum":6}' }]);
    expect(stats.structuredContent).toEqual({ count: 3, sum: 6 });
    await client.close();
  });

  it('gives a tool that throws an isError result, not a protocol failure', async () => {
    const client = await mcpClient('calc');
    const result = await client.callTool({ name: 'fail', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('this tool always fails');
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow('Unknown tool: nope');
    await client.close();
  });

  it('serves docs and string fields as resources', async () => {
    const client = await mcpClient('calc');
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['resource://docs', 'resource://version_note']);
    const docs = await client.readResource({ uri: 'resource://docs' });
    expect(docs.contents[0]).toMatchObject({ text: 'Adds and describes numbers.' });
    const note = await client.readResource({ uri: 'resource://version_note' });
    expect(note.contents[0]).toMatchObject({ text: 'first release' });
    await client.close();
  });

  it('works over the SSE transport too', async () => {
    const client = await mcpClient('calc', 'sse');
    const sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    expect(sum.content).toEqual([{ type: 'text', text: '2' }]);
    await client.close();
  });

  it('accepts client:service ids', async () => {
    const client = await mcpClient('mcp-provider:calc');
    expect((await client.listTools()).tools).toHaveLength(3);
    await client.close();
  });
});

describe('MCP: inline and native services', () => {
  it('serves inline tools, resources and prompts', async () => {
    const client = await mcpClient('inline');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['shout']);
    expect((await client.callTool({ name: 'shout', arguments: { text: 'hi' } })).content).toEqual([{ type: 'text', text: 'HI' }]);
    const { resources } = await client.listResources();
    expect(resources).toEqual([{ uri: 'resource://readme', name: 'Readme', description: 'The readme', mimeType: 'text/plain' }]);
    expect((await client.readResource({ uri: 'resource://readme' })).contents[0]).toMatchObject({ text: 'Read me first.' });
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([{ name: 'review', description: 'Ask for a review', arguments: [{ name: 'topic', description: 'What to review', required: true }] }]);
    const prompt = await client.getPrompt({ name: 'review', arguments: { topic: 'the plan' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Please review the plan.' } }]);
    await client.close();
  });

  it('passes MCP requests on to a native service', async () => {
    const client = await mcpClient('native');
    expect((await client.listTools()).tools[0]).toMatchObject({ name: 'echo', description: 'Echo back the input text' });
    const result = await client.callTool({ name: 'echo', arguments: { text: 'Hello MCP' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: Hello MCP' }]);
    expect((await client.readResource({ uri: 'test://resource/1' })).contents[0]).toMatchObject({ text: 'resource content' });
    await client.close();
  });
});

describe('MCP: access and bad input', () => {
  it('checks visibility for each caller', async () => {
    const anonymous = await fetch(`${ts.url}/${ws}/mcp/secret`);
    expect(anonymous.status).toBe(404);
    const owner = await fetch(`${ts.url}/${ws}/mcp/secret`, { headers: { Authorization: `Bearer ${token}` } });
    expect(owner.status).toBe(200);
    // The owner's access is not reused for the next anonymous caller.
    expect((await fetch(`${ts.url}/${ws}/mcp/secret`)).status).toBe(404);
    const client = await mcpClient('secret', 'http', token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['add']);
    await client.close();
  });

  it('answers 500 naming the fault for a type "mcp" service without MCP structure; the same service without the type is wrapped', async () => {
    const tripled = schemaFunction((x: number) => x * 3, { name: 'test', description: 'Triple', parameters: object({ x: { type: 'number' } }, ['x']) });
    await provider.registerService({ id: 'invalid-mcp', type: 'mcp', config: { visibility: 'public' }, nested: { functions: { test: tripled } } });
    await provider.registerService({ id: 'untyped', config: { visibility: 'public' }, nested: { functions: { test: tripled } } });
    await provider.registerService({ id: 'bad-inline', type: 'mcp', config: { visibility: 'public' }, tools: { plain: (x: number) => x } });
    const post = (sid: string) =>
      fetch(`${ts.url}/${ws}/mcp/${sid}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
    const invalid = await post('invalid-mcp');
    expect(invalid.status).toBe(500);
    expect(await invalid.text()).toContain('does not follow valid MCP structure');
    const badInline = await post('bad-inline');
    expect(badInline.status).toBe(500);
    expect(await badInline.text()).toContain('must be a @schema_function decorated function');
    const client = await mcpClient('untyped');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['nested_functions_test']);
    expect((await client.callTool({ name: 'nested_functions_test', arguments: { x: 5 } })).content).toEqual([{ type: 'text', text: '15' }]);
    await client.close();
  });

  it('sees a re-registered service at once (the cached description is dropped on the change)', async () => {
    const tool = (name: string) => schemaFunction(() => name, { name, description: name, parameters: object({}) });
    await provider.registerService({ id: 'evolving', config: { visibility: 'public' }, first: tool('first') });
    const client = await mcpClient('evolving');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['first']);
    await provider.registerService({ id: 'evolving', config: { visibility: 'public' }, second: tool('second') }, { overwrite: true });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['second']);
    expect((await client.callTool({ name: 'second', arguments: {} })).content).toEqual([{ type: 'text', text: 'second' }]);
    await client.close();
  });

  it('answers the info route, 404 for an unknown service and 400 for a malformed body', async () => {
    const info = await (await fetch(`${ts.url}/${ws}/mcp/calc`)).json();
    expect(info.endpoints).toEqual({ streamable_http: `/${ws}/mcp/calc/mcp`, sse: `/${ws}/mcp/calc/sse` });
    expect(info.capabilities.tools.map((t: { name: string }) => t.name).sort()).toEqual(['add', 'fail', 'stats']);
    expect(info.summary.excluded_functions).toEqual([{ name: 'hidden', reason: expect.stringContaining('no schema') }]);
    expect((await fetch(`${ts.url}/${ws}/mcp/nothing-here/mcp`, { method: 'POST', body: '{}' })).status).toBe(404);
    const bad = await fetch(`${ts.url}/${ws}/mcp/calc/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe(-32700);
    const unknownMethod = await fetch(`${ts.url}/${ws}/mcp/calc/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'no/such', params: {} }),
    });
    expect(unknownMethod.status).toBe(200);
    expect((await unknownMethod.json()).error.code).toBe(-32601);
    const raw = await fetch(`${ts.url}/${ws}/mcp/calc/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
    });
    expect(raw.status).toBe(200);
    expect((await raw.json()).result.tools).toHaveLength(3);
  });
});
