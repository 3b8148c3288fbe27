/**
 * Between the SDK's A2A messages and what a Hypha `run(message, context)` sees: the message in
 * A2A 0.3's JSON form (`{role, messageId, contextId, taskId, parts: [{kind: "text", text} |
 * {kind: "data", data} | {kind: "file", file}]}`), and its result as one agent text message.
 */
import { Role } from '@a2a-js/sdk';
import type { Message, Part } from '@a2a-js/sdk';

export interface PlainMessage {
  role: 'user' | 'agent';
  messageId: string;
  contextId: string;
  taskId: string;
  parts: Array<Record<string, unknown>>;
  metadata?: Record<string, unknown>;
}

function plainPart(part: Part): Record<string, unknown> {
  const c = part.content;
  switch (c?.$case) {
    case 'text':
      return { kind: 'text', text: c.value };
    case 'data':
      return { kind: 'data', data: c.value };
    case 'url':
      return { kind: 'file', file: { uri: c.value, ...(part.mediaType ? { mimeType: part.mediaType } : {}), ...(part.filename ? { name: part.filename } : {}) } };
    case 'raw':
      return { kind: 'file', file: { bytes: Buffer.from(c.value).toString('base64'), ...(part.mediaType ? { mimeType: part.mediaType } : {}), ...(part.filename ? { name: part.filename } : {}) } };
    default:
      return { kind: 'text', text: '' };
  }
}

export function toPlainMessage(message: Message): PlainMessage {
  const out: PlainMessage = {
    role: message.role === Role.ROLE_AGENT ? 'agent' : 'user',
    messageId: message.messageId,
    contextId: message.contextId,
    taskId: message.taskId,
    parts: message.parts.map(plainPart),
  };
  if (message.metadata) out.metadata = message.metadata;
  return out;
}

/** What `run` returned, as text: strings as they are, anything else as JSON. */
export function resultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

export function agentMessage(text: string, contextId: string, taskId: string, messageId: string): Message {
  return {
    messageId,
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}
