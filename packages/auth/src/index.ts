export type { PermissionCode, ScopeInfo, UserInfo } from './user-info.js';
export {
  PERMISSION_CODES,
  assertExtraScope,
  createScope,
  formatScope,
  getSpecializedScopes,
  isPermissionCode,
  parseScope,
  permissionRank,
  toPermissionCode,
} from './scope.js';
export type { CreateScopeOptions, PermissionName } from './scope.js';
export {
  assertGeneralAccess,
  assertScope,
  checkPermission,
  getEffectiveUserId,
  getPermission,
  getUserWorkspace,
  isSpecializedToken,
  ownsWorkspace,
} from './permissions.js';
export type { OwnableWorkspace } from './permissions.js';
export {
  DEFAULT_AUDIENCE,
  DEFAULT_AUTH0_DOMAIN,
  DEFAULT_ISSUER,
  DEFAULT_NAMESPACE,
  DEFAULT_RECONNECTION_TOKEN_LIFETIME,
  authConfigFromEnv,
  createAuthConfig,
} from './auth-config.js';
export type { AuthConfig, EnvAuthConfig, OidcConfig } from './auth-config.js';
export {
  AuthError,
  InvalidTokenError,
  PermissionDeniedError,
  TokenExpiredError,
  TokenRevokedError,
  isAuthError,
  isTokenValidationError,
} from './errors.js';
export type { AuthErrorCode } from './errors.js';
export { claimsToUser } from './claims.js';
export type { TokenClaims } from './claims.js';
export { generateToken, verifyInternalToken } from './internal-token.js';
export type { GenerateTokenOptions } from './internal-token.js';
export { JwksVerifier } from './jwks-verifier.js';
export { readableId } from './readable-id.js';
export {
  ANONYMOUS_USER_LIFETIME,
  ANONYMOUS_WORKSPACE,
  HTTP_ANONYMOUS_USER_ID,
  ROOT_USER_ID,
  assertStrongRootToken,
  createAnonymousUser,
  createHttpAnonymousUser,
  createRootUser,
} from './special-users.js';
export { createChildUser } from './child-token.js';
export type { ChildTokenContext, TokenConfig } from './child-token.js';
export { KeyValueRevocationStore, REVOKED_TOKEN_PREFIX } from './token-revocation-store.js';
export type { TokenRevocationStore } from './token-revocation-store.js';
export { extractTokenFromAuthorization, extractTokenFromCookie } from './extract-token.js';
export { AuthService } from './auth-service.js';
export type { AuthServiceOptions, ResolveTokenOptions } from './auth-service.js';
export { normalizeCustomUser } from './custom-auth.js';
export type { CustomAuthHooks, CustomGenerateToken, CustomGetToken, CustomParseToken, RequestScope } from './custom-auth.js';
