/**
 * An RPCConnection (the @hypha/rpc transport contract) that attaches an in-server peer to the
 * router: frames it emits are routed like a client's, frames for it are handed to its handler.
 */
import type { ConnectionInfo, RPCConnection } from '@hypha/rpc';
import type { UserInfo } from '@hypha/auth';
import type { MessageRouter, RouteHandle } from '../routing/message-router.js';

export class RouterConnection implements RPCConnection {
  manager_id: string | null;
  private handler: ((data: Uint8Array) => void) | null = null;
  private handle: RouteHandle | null = null;
  private readonly backlog: Uint8Array[] = [];

  constructor(
    private readonly router: MessageRouter,
    private readonly workspace: string,
    private readonly clientId: string,
    private readonly user: UserInfo,
    managerId: string | null,
  ) {
    this.manager_id = managerId;
  }

  async attach(): Promise<void> {
    const { handle } = await this.router.attach({
      workspace: this.workspace,
      clientId: this.clientId,
      user: this.user,
      deliver: (frame) => {
        if (this.handler) this.handler(frame);
        else this.backlog.push(frame);
      },
    });
    this.handle = handle;
  }

  on_message(handler: (data: Uint8Array) => void): void {
    this.handler = handler;
    for (const frame of this.backlog.splice(0)) handler(frame);
  }

  on_connected(_handler: (info: ConnectionInfo) => void | Promise<void>): void {
    // In-server peers are attached once and never reconnect; they do not announce themselves.
  }

  on_disconnected(_handler: (reason?: string) => void): void {
    // The router outlives in-server peers; nothing to report.
  }

  emit_message(data: Uint8Array): void {
    if (!this.handle) throw new Error(`Peer ${this.workspace}/${this.clientId} is not attached to the router`);
    this.handle.route(data);
  }

  async disconnect(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.detach(false);
  }
}
