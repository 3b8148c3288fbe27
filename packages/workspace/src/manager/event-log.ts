/**
 * Per-instance event log behind `log`, `log_event`, `get_events` and `get_event_stats`.
 * The reference writes to SQL; this keeps a bounded in-memory log per workspace.
 */
export interface LoggedEvent {
  id: number;
  event_type: string;
  workspace: string;
  user_id: string;
  timestamp: string;
  data: unknown;
}

export class EventLog {
  private nextId = 1;
  private readonly byWorkspace = new Map<string, LoggedEvent[]>();

  constructor(private readonly maxPerWorkspace = 10_000) {}

  add(workspace: string, userId: string, eventType: string, data: unknown): void {
    let list = this.byWorkspace.get(workspace);
    if (!list) this.byWorkspace.set(workspace, (list = []));
    list.push({
      id: this.nextId++,
      event_type: eventType,
      workspace,
      user_id: userId,
      timestamp: new Date().toISOString(),
      data: data ?? null,
    });
    if (list.length > this.maxPerWorkspace) list.splice(0, list.length - this.maxPerWorkspace);
  }

  query(workspace: string, userId: string, eventType?: string | null, start?: string | null, end?: string | null): LoggedEvent[] {
    const startMs = start ? Date.parse(start) : -Infinity;
    const endMs = end ? Date.parse(end) : Infinity;
    return (this.byWorkspace.get(workspace) ?? []).filter((e) => {
      if (e.user_id !== userId) return false;
      if (eventType && e.event_type !== eventType) return false;
      const t = Date.parse(e.timestamp);
      return t >= startMs && t <= endMs;
    });
  }

  dropWorkspace(workspace: string): void {
    this.byWorkspace.delete(workspace);
  }
}
