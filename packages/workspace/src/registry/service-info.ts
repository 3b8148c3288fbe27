/** The service models stored by the manager (rpc-protocol §8.2, server-api §1.5). */

export type Visibility = 'protected' | 'public' | 'unlisted';

export const VISIBILITIES: readonly Visibility[] = ['protected', 'public', 'unlisted'];

export interface ServiceConfig {
  visibility?: Visibility;
  require_context?: boolean | string[];
  workspace?: string;
  flags?: string[];
  singleton?: boolean;
  created_by?: Record<string, unknown>;
  service_embedding?: unknown;
  authorized_workspaces?: string[] | null;
  [key: string]: unknown;
}

export interface ServiceInfo {
  id: string;
  name: string;
  type: string;
  description: string | null;
  docs: string | null;
  app_id: string;
  service_schema: Record<string, unknown> | null;
  config: ServiceConfig;
}
