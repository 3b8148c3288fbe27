export { defineMethod, methodSchema } from './method.js';
export type { ArgsOf, MethodDef, MethodSchema, MethodSpec, ParamsSpec, Permission } from './method.js';
export { defineService, toRpcService, serviceSchemas, describeService, ACCEPTS_KWARGS } from './service.js';
export type { Authorize, MethodMap, RpcServiceOptions, ServiceDef, ServiceSpec } from './service.js';
export { bindArguments } from './bind.js';
export { requireContext, callerClientId, callerFullId } from './context.js';
export type { CallContext, ContextUser } from './context.js';
export {
  HyphaError,
  NotFoundError,
  PermissionDeniedError,
  InvalidArgumentError,
  ConflictError,
  UnavailableError,
  ERROR_CODES,
  isHyphaError,
  isNotFoundError,
  isPermissionDeniedError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export { Type } from '@sinclair/typebox';
