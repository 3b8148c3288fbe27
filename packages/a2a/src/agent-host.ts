/**
 * A2A JSON-RPC (protocol 0.3, through the SDK's `compat/v0_3` handler) for Hypha services. Each
 * service keeps its task store and running tasks for as long as the host knows it (the reference
 * makes a new store per request, so `tasks/get` never finds an earlier task); the `run` function
 * comes with each request, so every call runs as that request's caller.
 */
import { DefaultExecutionEventBusManager, DefaultRequestHandler, InMemoryTaskStore, ServerCallContext } from '@a2a-js/sdk/server';
import type { TaskStore } from '@a2a-js/sdk/server';
import type { AgentCard } from '@a2a-js/sdk';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { HyphaAgentExecutor } from './executor.js';
import type { RunFunction, RunningTasks } from './executor.js';
import type { AgentCardJson } from './card.js';

interface ServiceState {
  tasks: TaskStore;
  buses: DefaultExecutionEventBusManager;
  running: RunningTasks;
}

export type JsonRpcEnvelope = Record<string, unknown>;
export type A2AResponse = JsonRpcEnvelope | AsyncGenerator<JsonRpcEnvelope, void, undefined>;

export interface AgentHostOptions {
  /** Services whose task stores are kept (least recently used dropped first; default 1000). */
  maxServices?: number;
}

/** The SDK's (A2A 1.0) card, filled from the 0.3 JSON card; only used inside the handler. */
function sdkCard(card: AgentCardJson): AgentCard {
  return {
    name: card.name,
    description: card.description,
    supportedInterfaces: [{ url: card.url, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: card.protocolVersion }],
    provider: undefined,
    version: card.version,
    capabilities: { streaming: card.capabilities.streaming !== false, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    skills: [],
    signatures: [],
  } as unknown as AgentCard;
}

export class A2AAgentHost {
  private readonly services = new Map<string, ServiceState>();
  private readonly maxServices: number;

  constructor(options: AgentHostOptions = {}) {
    this.maxServices = options.maxServices ?? 1000;
  }

  private state(serviceKey: string): ServiceState {
    let s = this.services.get(serviceKey);
    if (s) {
      this.services.delete(serviceKey);
    } else {
      s = { tasks: new InMemoryTaskStore(), buses: new DefaultExecutionEventBusManager(), running: new Map() };
      while (this.services.size >= this.maxServices) this.services.delete(this.services.keys().next().value!);
    }
    this.services.set(serviceKey, s);
    return s;
  }

  /** Forgets a service's tasks (when it is unregistered). */
  forget(serviceKey: string): void {
    const s = this.services.get(serviceKey);
    if (!s) return;
    for (const abort of s.running.values()) abort.abort();
    this.services.delete(serviceKey);
  }

  /** Handles one JSON-RPC request for the service `serviceKey`, running `run` as the caller. */
  async handle(serviceKey: string, card: AgentCardJson, run: RunFunction, body: unknown): Promise<A2AResponse> {
    const s = this.state(serviceKey);
    const handler = new DefaultRequestHandler(sdkCard(card), s.tasks, new HyphaAgentExecutor(run, s.running), s.buses);
    const transport = new LegacyJsonRpcTransportHandler(handler);
    return (await transport.handle(body as Record<string, unknown>, new ServerCallContext())) as A2AResponse;
  }
}
