export { A2AAgentHost } from './agent-host.js';
export type { A2AResponse, AgentHostOptions, JsonRpcEnvelope } from './agent-host.js';
export { buildAgentCard, camelKeys, rawAgentCard } from './card.js';
export type { AgentCardJson, HyphaAgentService } from './card.js';
export { HyphaAgentExecutor } from './executor.js';
export type { RunFunction, RunningTasks } from './executor.js';
export { toPlainMessage, agentMessage, resultText } from './messages.js';
export type { PlainMessage } from './messages.js';
