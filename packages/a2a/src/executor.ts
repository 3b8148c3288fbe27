/**
 * Runs a Hypha agent's `run(message, context)` for the SDK. A plain result becomes one agent
 * message (as the reference answers); an async generator becomes a task whose status carries
 * each item as it comes (the reference collects it into one string), ending `completed`, or
 * `failed` / `canceled`. An exception becomes the agent message `Error: ...`.
 */
import { randomUUID } from 'node:crypto';
import { AgentEvent } from '@a2a-js/sdk/server';
import type { AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import { TaskState } from '@a2a-js/sdk';
import type { Message } from '@a2a-js/sdk';
import { agentMessage, resultText, toPlainMessage } from './messages.js';

/** The first line of an error (a remote error carries the provider's stack after it). */
const errorLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

export type RunFunction = (message: unknown, context: unknown) => unknown;

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';

/** Tasks being streamed, by task id, so `tasks/cancel` can stop them. */
export type RunningTasks = Map<string, AbortController>;

export class HyphaAgentExecutor implements AgentExecutor {
  constructor(
    private readonly run: RunFunction,
    private readonly running: RunningTasks,
  ) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = ctx;
    const reply = (text: string): Message => agentMessage(text, contextId, taskId, randomUUID());
    let result: unknown;
    try {
      result = await this.run(toPlainMessage(ctx.userMessage), null);
    } catch (err) {
      bus.publish(AgentEvent.message({ ...reply(`Error: ${errorLine(err)}`), taskId: '' }));
      bus.finished();
      return;
    }
    if (!isAsyncIterable(result)) {
      bus.publish(AgentEvent.message({ ...reply(resultText(result)), taskId: '' }));
      bus.finished();
      return;
    }
    await this.stream(result, ctx, bus, reply);
  }

  private async stream(items: AsyncIterable<unknown>, ctx: RequestContext, bus: ExecutionEventBus, reply: (text: string) => Message): Promise<void> {
    const { taskId, contextId } = ctx;
    const abort = new AbortController();
    this.running.set(taskId, abort);
    const status = (state: TaskState, message?: Message) =>
      AgentEvent.statusUpdate({ taskId, contextId, status: { state, message, timestamp: new Date().toISOString() }, metadata: undefined });
    bus.publish(AgentEvent.task({ id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() }, artifacts: [], history: [ctx.userMessage], metadata: undefined }));
    let last: Message | undefined;
    const iterator = items[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (abort.signal.aborted) {
          await iterator.return?.();
          return; // cancelTask publishes the canceled status
        }
        const next = await iterator.next();
        if (next.done) break;
        last = reply(resultText(next.value));
        bus.publish(status(TaskState.TASK_STATE_WORKING, last));
      }
      bus.publish(status(TaskState.TASK_STATE_COMPLETED, last));
    } catch (err) {
      bus.publish(status(TaskState.TASK_STATE_FAILED, reply(`Error: ${errorLine(err)}`)));
    } finally {
      this.running.delete(taskId);
      bus.finished();
    }
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    const abort = this.running.get(taskId);
    abort?.abort();
    bus.publish(
      AgentEvent.statusUpdate({ taskId, contextId: '', status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: new Date().toISOString() }, metadata: undefined }),
    );
    bus.finished();
  }
}
