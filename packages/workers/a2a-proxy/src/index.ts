export { A2AProxyWorker, a2aAgentsOf } from './a2a-proxy-worker.js';
export { connectAgent, a2aAgentConfigError, resultText } from './remote-agent.js';
export type { A2AAgentConfig, RemoteAgent } from './remote-agent.js';
