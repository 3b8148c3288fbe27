/**
 * The part of the RPC peer the client layer uses; hypha-rpc's `RPC` method names. Kept as an
 * interface so the client layer reads as a list of its needs.
 */
export interface ClientRpc {
  on(event: string, handler: (data: any) => void | Promise<void>): void;
  off(event?: string, handler?: (data: any) => void | Promise<void>): void;
  once(event: string, handler: (data: any) => void | Promise<void>): void;
  emit(message: Record<string, unknown>): Promise<void> | void;
  /** Settles when the (re)registration started by the latest connection finished. */
  wait_for_services_registered(): Promise<unknown>;
  get_manager_service(config?: Record<string, unknown>): Promise<any>;
  register_service(api: Record<string, unknown>, config?: Record<string, unknown>): Promise<any>;
  unregister_service(service: string | Record<string, unknown>, notify?: boolean): Promise<void>;
  register_codec(codec: any): void;
  disconnect(): Promise<void>;
}
