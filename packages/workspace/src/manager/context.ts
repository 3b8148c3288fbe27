import type { UserInfo } from '@hypha/auth';
import type { CallContext as ServiceCallContext } from '@hypha/service';

/** The context the RPC layer injects into every manager method (`require_context: true`). */
export type CallContext = ServiceCallContext<UserInfo>;

export { requireContext, callerClientId, callerFullId } from '@hypha/service';
