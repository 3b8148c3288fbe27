/**
 * `@hypha/artifacts`: the `public/artifact-manager` service (server-api §4) over `@hypha/db`
 * and `@hypha/storage`.
 *
 * @example
 * import { ArtifactManager, ArtifactFiles, defineArtifactService, openArtifactBackends } from '@hypha/artifacts';
 * const manager = new ArtifactManager({ backends: openArtifactBackends({ dataDir, fsSigning }), keyValue: core.bus, publicBaseUrl });
 * const files = new ArtifactFiles(manager.access);
 * await rpc.register_service(toRpcService(defineArtifactService(manager, files), { authorize }));
 */
export { ArtifactManager, versionIndex } from './artifact-manager.js';
export { ArtifactFiles } from './artifact-files.js';
export { ArtifactAccess, isAnonymousWorkspace, requireContext } from './access.js';
export type { ArtifactBackends, ArtifactContext, ArtifactManagerOptions, WorkspaceFacts } from './access.js';
export { artifactMethods, defineArtifactService } from './artifact-service.js';
export { assertFileScope, quotePath } from './file-scope.js';
export type { FileScope } from './file-scope.js';
export { MultipartUploads } from './upload-state.js';
export type { PendingUpload, SharedKeyValue } from './upload-state.js';
export { openArtifactBackends } from './artifact-backends.js';
export type { OpenBackendsOptions, OpenedBackends, S3Settings } from './artifact-backends.js';
export { ArtifactError, isArtifactError } from './errors.js';
export type { ArtifactErrorCode } from './errors.js';
export {
  PERMISSION_LEVELS, READ_TYPE_OPS, canMutateChildren, canPerform, expandPermission, parentAllowsRead, permissionsGrant, principalKeys, workspaceLevelFor,
} from './permissions.js';
export type { Operation, PermissionSubject } from './permissions.js';
export { isUuid, parseArtifactId, validateFilePath, validateDirPath, uuid7 } from './ids.js';
export type { ArtifactRef } from './ids.js';
export { escapeLike, filterConditions, keywordCondition, orderByClauses } from './filters.js';
export { artifactView } from './record.js';
export type { ArtifactRow, Staging, StagedFile, VersionEntry } from './record.js';
export { createZipStream } from './zip-stream.js';
export { createSizedZipStream } from './zip-writer.js';
export { zipLength } from './zip-writer.js';
export type { SizedZipEntry } from './zip-writer.js';
export type { ZipEntry } from './zip-stream.js';
export { s3StorageService, s3Key, listDirectory } from './s3-storage-service.js';
export type { S3StorageOptions } from './s3-storage-service.js';
export { renderViewTemplate, TemplateError } from './view-template.js';
export { DEFAULT_ZENODO_SERVERS, ZenodoClient, ZenodoError } from './zenodo-client.js';
export type { Deposition, ZenodoServers } from './zenodo-client.js';
