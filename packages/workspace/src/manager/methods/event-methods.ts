/** Manager methods for the workspace event log and event subscriptions. */
import { InvalidArgumentError, Type, defineMethod } from '@hypha/service';
import { callerFullId } from '../context.js';
import type { CallContext } from '../context.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { maybe } from './params.js';

const SYSTEM_EVENTS = new Set([
  'service_added',
  'service_removed',
  'service_updated',
  'client_connected',
  'client_disconnected',
  'client_updated',
  'workspace_loaded',
  'workspace_deleted',
  'workspace_changed',
  'workspace_ready',
  'workspace_unloaded',
  'workspace_status_changed',
]);

const timeRange = () => ({
  event_type: maybe<string | null>(['string', 'null'], 'Only events of this type (all types when omitted).', null),
  start_time: maybe<string | number | null>(['string', 'number', 'null'], 'Earliest event time to include.', null),
  end_time: maybe<string | number | null>(['string', 'number', 'null'], 'Latest event time to include.', null),
});

const eventTypes = (description: string) => ({
  event_type: Type.Unsafe<string | string[]>({ type: ['string', 'array'], description }),
});

export function eventMethods(m: WorkspaceManager) {
  const query = (ctx: CallContext, a: { event_type?: unknown; start_time?: unknown; end_time?: unknown }) =>
    m.events.query(ctx.ws, ctx.user.id, a.event_type as string, a.start_time as string, a.end_time as string);

  return {
    log_event: defineMethod({
      description: "Record an event in the current workspace's event log (needs read-write permission).",
      params: {
        event_type: Type.String({ description: 'Type name of the event.' }),
        data: maybe<Record<string, unknown> | null>(['object', 'null'], 'Extra data stored with the event.', null),
      },
      permission: 'read_write',
      handler: async ({ event_type, data }, ctx: CallContext): Promise<void> => {
        if (typeof event_type !== 'string' || event_type.length === 0 || /\s/.test(event_type)) {
          throw new InvalidArgumentError('Event type must be a non-empty string without spaces');
        }
        m.events.add(ctx.ws, ctx.user.id, event_type, data);
      },
    }),

    get_event_stats: defineMethod({
      description: "Count the current workspace's logged events per type, optionally within a time range.",
      params: timeRange(),
      permission: 'read',
      handler: async (args, ctx: CallContext) => {
        const counts = new Map<string, number>();
        for (const e of query(ctx, args)) counts.set(e.event_type, (counts.get(e.event_type) ?? 0) + 1);
        return [...counts].map(([t, count]) => ({ event_type: t, count }));
      },
    }),

    get_events: defineMethod({
      description: "List the current workspace's logged events, optionally filtered by type and time range.",
      params: timeRange(),
      permission: 'read',
      handler: async (args, ctx: CallContext) => query(ctx, args),
    }),

    subscribe: defineMethod({
      description: 'Start receiving broadcast events of the given type(s).',
      params: eventTypes('One event type or a list of them.'),
      permission: 'none',
      handler: async ({ event_type }, ctx: CallContext): Promise<boolean> => {
        const handle = callerHandle(m, ctx);
        const types = Array.isArray(event_type) ? event_type : [event_type];
        for (const t of types) validateEventSubscription(t, ctx.ws);
        handle.subscribe(types);
        return true;
      },
    }),

    unsubscribe: defineMethod({
      description: 'Stop receiving broadcast events of the given type(s).',
      params: eventTypes('One event type or a list of them.'),
      permission: 'none',
      handler: async ({ event_type }, ctx: CallContext): Promise<boolean> => {
        const handle = callerHandle(m, ctx);
        handle.unsubscribe(Array.isArray(event_type) ? event_type : [event_type]);
        return true;
      },
    }),
  };
}

function callerHandle(m: WorkspaceManager, ctx: CallContext) {
  const id = callerFullId(ctx);
  const handle = m.router.getLocal(id);
  if (!handle) throw new Error(`Connection not found for client ${id}`);
  return handle;
}

/** Clients may subscribe to system events and to events of their own workspace only. */
function validateEventSubscription(eventType: string, workspace: string): void {
  if (typeof eventType !== 'string' || eventType.length === 0) {
    throw new InvalidArgumentError('Event type must be a non-empty string');
  }
  if (SYSTEM_EVENTS.has(eventType)) return;
  if (eventType.includes('/')) {
    const ews = eventType.split('/')[0];
    if (ews !== workspace) {
      throw new InvalidArgumentError(
        `Subscription to event '${eventType}' is forbidden. Event workspace '${ews}' does not match your workspace '${workspace}'.`,
      );
    }
    return;
  }
  if (eventType.startsWith('ws-') && eventType !== workspace && !eventType.startsWith(`${workspace}/`)) {
    throw new InvalidArgumentError(
      `Subscription to event '${eventType}' is forbidden as it contains workspace identifiers. Clients can only subscribe to events within their own workspace (${workspace}) or system events.`,
    );
  }
  if (eventType.includes(':')) {
    const first = eventType.split(':')[0]!;
    if (first.startsWith('ws-') && first !== workspace) {
      throw new InvalidArgumentError(
        `Subscription to event '${eventType}' is forbidden. Workspace '${first}' does not match your workspace '${workspace}'.`,
      );
    }
  }
}
