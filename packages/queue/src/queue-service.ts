/**
 * `public/queue`: the reference's task queue (push, pop, peek, get_length), scoped to the caller's
 * workspace, plus acknowledged delivery (reserve, ack, nack) that it lacks.
 */
import { defineMethod, defineService, InvalidArgumentError, NotFoundError, Type } from '@hypha/service';
import type { CallContext } from '@hypha/service';
import type { QueueBackend } from './queue-backend.js';

const QUEUE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_\-.]{0,127}$/;
const RESERVATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The queue's key (the reference's Redis list name) after checking the name. */
export function queueKey(ctx: CallContext, queueName: unknown): string {
  if (typeof queueName !== 'string' || !QUEUE_NAME.test(queueName)) {
    throw new InvalidArgumentError(
      `Invalid queue name: '${String(queueName)}'. Queue names must be 1-128 characters, start with alphanumeric, ` +
        'and contain only alphanumeric, hyphens, underscores, and dots.',
    );
  }
  return `${ctx.ws}:q:${queueName}`;
}

function seconds(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be a number of seconds from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function encodeTask(task: unknown): string {
  if (typeof task !== 'object' || task === null || Array.isArray(task)) {
    throw new InvalidArgumentError(`task must be a dictionary (a JSON object), got ${Array.isArray(task) ? 'a list' : typeof task}`);
  }
  try {
    return JSON.stringify(task);
  } catch (err) {
    throw new InvalidArgumentError(`task must be JSON-serializable: ${(err as Error).message}`);
  }
}

function reservationId(id: unknown): string {
  if (typeof id !== 'string' || !RESERVATION_ID.test(id)) {
    throw new InvalidArgumentError(`Invalid reservation id: ${JSON.stringify(id)} (use the id returned by reserve)`);
  }
  return id;
}

const decode = (payload: string): Record<string, unknown> => JSON.parse(payload) as Record<string, unknown>;

const queueName = Type.String({ description: 'Name of the queue; scoped to your workspace (1-128 characters: letters, digits, - _ .).' });

export function createQueueService(backend: QueueBackend) {
  return defineService({
    id: 'queue',
    name: 'Task Queue Service',
    description:
      'Task queue for asynchronous job processing in a workspace: FIFO push/pop, and acknowledged delivery ' +
      '(reserve, then ack or nack) where a task not acknowledged in time is delivered again.',
    config: { visibility: 'public' },
    methods: {
      push: defineMethod({
        description: 'Push a task (a JSON object) to the end of a queue.',
        params: { queue_name: queueName, task: Type.Record(Type.String(), Type.Any(), { description: 'The task data.' }) },
        permission: 'read_write',
        handler: async ({ queue_name, task }, ctx) => {
          await backend.push(queueKey(ctx, queue_name), encodeTask(task));
        },
      }),
      pop: defineMethod({
        description: 'Remove and return the oldest task; wait up to `timeout` seconds for one (0: do not wait). Returns null when none came.',
        params: {
          queue_name: queueName,
          timeout: Type.Optional(Type.Number({ description: 'Seconds to wait (0 to 300; 0 returns at once).', default: 30, minimum: 0, maximum: 300 })),
        },
        permission: 'read_write',
        handler: async ({ queue_name, timeout }, ctx) => {
          const payload = await backend.pop(queueKey(ctx, queue_name), seconds('timeout', timeout, 0, 300));
          return payload === null ? null : decode(payload);
        },
      }),
      get_length: defineMethod({
        description: 'The number of tasks waiting in a queue (reserved tasks are not counted).',
        params: { queue_name: queueName },
        permission: 'read',
        handler: ({ queue_name }, ctx) => backend.length(queueKey(ctx, queue_name)),
      }),
      peek: defineMethod({
        description: 'The next `n` tasks in the order pop would return them, without removing them.',
        params: {
          queue_name: queueName,
          n: Type.Optional(Type.Integer({ description: 'How many tasks (1 to 100).', default: 1, minimum: 1, maximum: 100 })),
        },
        permission: 'read',
        handler: async ({ queue_name, n }, ctx) => {
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 100) {
            throw new InvalidArgumentError(`n must be an integer from 1 to 100, got ${JSON.stringify(n)}`);
          }
          return (await backend.peek(queueKey(ctx, queue_name), n)).map(decode);
        },
      }),
      reserve: defineMethod({
        description:
          'Take the oldest task without losing it: returns {id, task} (or null after `timeout` seconds). ' +
          'Acknowledge it with ack(queue_name, id) within `visibility_timeout` seconds, or it is delivered again.',
        params: {
          queue_name: queueName,
          timeout: Type.Optional(Type.Number({ description: 'Seconds to wait for a task (0 to 300; 0 returns at once).', default: 30, minimum: 0, maximum: 300 })),
          visibility_timeout: Type.Optional(
            Type.Number({ description: 'Seconds the task stays reserved before it is delivered again (0.1 to 43200).', default: 30, minimum: 0.1, maximum: 43200 }),
          ),
        },
        permission: 'read_write',
        handler: async ({ queue_name, timeout, visibility_timeout }, ctx) => {
          const key = queueKey(ctx, queue_name);
          const wait = seconds('timeout', timeout, 0, 300);
          const visible = seconds('visibility_timeout', visibility_timeout, 0.1, 43200);
          const got = await backend.reserve(key, wait, visible);
          return got === null ? null : { id: got.id, task: decode(got.payload) };
        },
      }),
      ack: defineMethod({
        description: 'Mark a reserved task done; it is removed for good.',
        params: { queue_name: queueName, id: Type.String({ description: 'The id reserve returned.' }) },
        permission: 'read_write',
        handler: async ({ queue_name, id }, ctx) => {
          const key = queueKey(ctx, queue_name);
          if (!(await backend.ack(key, reservationId(id)))) throw unknownReservation(queue_name, id);
        },
      }),
      nack: defineMethod({
        description: 'Give a reserved task back: it goes to the head of the queue and is delivered next.',
        params: { queue_name: queueName, id: Type.String({ description: 'The id reserve returned.' }) },
        permission: 'read_write',
        handler: async ({ queue_name, id }, ctx) => {
          const key = queueKey(ctx, queue_name);
          if (!(await backend.nack(key, reservationId(id)))) throw unknownReservation(queue_name, id);
        },
      }),
    },
  });
}

function unknownReservation(queue: string, id: string): NotFoundError {
  return new NotFoundError(
    `Reservation ${id} not found in queue ${queue}: it was already acknowledged or given back, or its visibility timeout expired and the task was delivered again`,
  );
}
