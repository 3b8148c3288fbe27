/**
 * A2A 0.3 over HTTP (`--enable-a2a`) with the official @a2a-js/sdk client transport (its v0.3
 * compat layer) against agents registered by the unmodified npm hypha-rpc client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyJsonRpcTransport, parseLegacyAgentCard } from '@a2a-js/sdk/compat/v0_3/client';
import { Role, TaskState } from '@a2a-js/sdk';
import type { Message, SendMessageRequest } from '@a2a-js/sdk';
import { ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let ts: TestServer;
let provider: Server;
let ws: string;
const pool = new ClientPool(() => ts.url);

function userMessage(text: string): SendMessageRequest {
  const message: Message = {
    messageId: `m-${Math.random().toString(36).slice(2)}`,
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
  return { tenant: '', message, configuration: undefined, metadata: undefined };
}

const textOf = (m: Message | undefined) => (m?.parts[0]?.content?.$case === 'text' ? m.parts[0].content.value : undefined);
const transport = (sid: string) => new LegacyJsonRpcTransport({ endpoint: `${ts.url}/${ws}/a2a/${sid}/` });

beforeAll(async () => {
  ts = await startTestServer({ enableA2a: true });
  provider = await pool.connect('hypha-rpc', { client_id: 'a2a-provider' });
  ws = provider.config.workspace;
  await provider.registerService({
    id: 'echo-agent',
    type: 'a2a',
    config: { visibility: 'public' },
    agent_card: {
      name: 'Echo Agent',
      description: 'Repeats what you say',
      default_input_modes: ['text'],
      skills: [{ id: 'echo', name: 'Echo', description: 'Echoes text' }],
    },
    run: async (message: { parts: Array<{ kind: string; text?: string }> }) => {
      const text = message.parts.filter((p) => p.kind === 'text').map((p) => p.text).join(' ');
      if (text === 'boom') throw new Error('the agent failed');
      return `You said: ${text}`;
    },
  });
  await provider.registerService({
    id: 'counter-agent',
    type: 'a2a',
    config: { visibility: 'public' },
    agent_card: async () => ({ name: 'Counter', description: 'Counts to three' }),
    run: async function* () {
      for (let i = 1; i <= 3; i++) yield `count ${i}`;
    },
  });
  await provider.registerService({
    id: 'slow-agent',
    type: 'a2a',
    config: { visibility: 'public' },
    agent_card: { name: 'Slow', description: 'Counts slowly' },
    run: async function* () {
      for (let i = 1; i <= 100; i++) {
        slowProgress = i;
        yield `tick ${i}`;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  });
  await provider.registerService({ id: 'plain', config: { visibility: 'public' }, run: () => 'not an agent' });
});

/** How far the slow agent's generator has got (it runs in the provider, in this process). */
let slowProgress = 0;

afterAll(async () => {
  await pool.closeAll();
  await ts?.close();
});

describe('A2A agent card', () => {
  it('serves the card in camelCase with the reference defaults, at both well-known paths', async () => {
    for (const path of ['agent-card.json', 'agent.json']) {
      const res = await fetch(`${ts.url}/${ws}/a2a/echo-agent/.well-known/${path}`);
      expect(res.status).toBe(200);
      const card = await res.json();
      expect(card).toMatchObject({
        protocolVersion: '0.3.0',
        name: 'Echo Agent',
        description: 'Repeats what you say',
        url: `${ts.url}/${ws}/a2a/echo-agent/`,
        capabilities: { streaming: true, pushNotifications: false },
        defaultInputModes: ['text'],
        defaultOutputModes: ['text'],
        skills: [{ id: 'echo', name: 'Echo', description: 'Echoes text', tags: ['chat'] }],
      });
      expect(card.default_input_modes).toBeUndefined();
      expect(parseLegacyAgentCard(card).name).toBe('Echo Agent');
    }
    const dynamic = await (await fetch(`${ts.url}/${ws}/a2a/counter-agent/.well-known/agent-card.json`)).json();
    expect(dynamic.name).toBe('Counter');
    expect(dynamic.skills[0]).toMatchObject({ id: 'chat', tags: ['chat'] });
  });
});

describe('A2A JSON-RPC', () => {
  it('answers message/send with the agent text', async () => {
    const result = await transport('echo-agent').sendMessage(userMessage('hello there'));
    expect('role' in result && result.role).toBe(Role.ROLE_AGENT);
    expect(textOf(result as Message)).toBe('You said: hello there');
  });

  it('turns an exception in run into an agent error message', async () => {
    const result = await transport('echo-agent').sendMessage(userMessage('boom'));
    // The first line of the remote error only: the provider's stack is not sent to the caller.
    expect(textOf(result as Message)).toMatch(/^Error: (\w+: )*the agent failed$/);
  });

  it('streams each item of an async generator, and keeps the task for tasks/get', async () => {
    const events = [];
    for await (const event of transport('counter-agent').sendMessageStream(userMessage('go'))) events.push(event);
    const texts = events
      .map((e) => (e.payload?.$case === 'statusUpdate' ? textOf(e.payload.value.status?.message) : undefined))
      .filter((t) => t !== undefined);
    expect(texts).toEqual(['count 1', 'count 2', 'count 3', 'count 3']);
    const first = events[0]!;
    expect(first.payload?.$case).toBe('task');
    const taskId = first.payload?.$case === 'task' ? first.payload.value.id : '';
    const task = await transport('counter-agent').getTask({ tenant: '', id: taskId, historyLength: undefined });
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('cancels a streaming task with tasks/cancel: the agent stops and the task says canceled', async () => {
    const stream = transport('slow-agent').sendMessageStream(userMessage('go'));
    const iterator = stream[Symbol.asyncIterator]();
    const first = (await iterator.next()).value;
    expect(first?.payload?.$case).toBe('task');
    const taskId = first?.payload?.$case === 'task' ? first.payload.value.id : '';
    // wait for the first item, so the task is working when it is canceled
    for (let e = (await iterator.next()).value; e?.payload?.$case !== 'statusUpdate'; e = (await iterator.next()).value);
    const canceled = await transport('slow-agent').cancelTask({ tenant: '', id: taskId, metadata: undefined });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    // the stream ends, and the generator stops (after the item it was producing) far before its 100
    for (let e = await iterator.next(); !e.done; e = await iterator.next());
    await new Promise((r) => setTimeout(r, 300));
    const stoppedAt = slowProgress;
    await new Promise((r) => setTimeout(r, 500));
    expect(slowProgress).toBe(stoppedAt);
    expect(stoppedAt).toBeLessThan(20);
    const task = await transport('slow-agent').getTask({ tenant: '', id: taskId, historyLength: undefined });
    expect(task.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it('refuses bad input with clear statuses and codes', async () => {
    const post = (sid: string, body: string) =>
      fetch(`${ts.url}/${ws}/a2a/${sid}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const malformed = await post('echo-agent', '{oops');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe(-32700);
    const invalid = await post('echo-agent', JSON.stringify({ jsonrpc: '2.0', id: 1 }));
    expect((await invalid.json()).error.code).toBe(-32600);
    const unknownMethod = await post('echo-agent', JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'no/such', params: {} }));
    expect((await unknownMethod.json()).error.code).toBe(-32601);
    expect((await post('plain', JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'message/send', params: {} }))).status).toBe(400);
    expect((await fetch(`${ts.url}/${ws}/a2a/missing/.well-known/agent-card.json`)).status).toBe(404);
    expect((await post('missing', '{}')).status).toBe(404);
  });
});
