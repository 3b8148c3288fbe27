/** Blob keys of an artifact: `<ws>/artifacts/<uuid>/v<N>/<path>` and snapshots `…/v<N>.json`. */
export interface KeyedArtifact {
  id: string;
  workspace: string;
}

export const artifactPrefix = (a: KeyedArtifact) => `${a.workspace}/artifacts/${a.id}/`;
export const versionPrefix = (a: KeyedArtifact, index: number) => `${artifactPrefix(a)}v${index}/`;
export const snapshotKey = (a: KeyedArtifact, index: number) => `${artifactPrefix(a)}v${index}.json`;
export const fileKey = (a: KeyedArtifact, index: number, path: string) => `${versionPrefix(a, index)}${path}`;
/** Committed files an in-place staged edit overwrote, restored by `discard`. */
export const stageBackupPrefix = (a: KeyedArtifact) => `${artifactPrefix(a)}stage-backup/`;
export const stageBackupKey = (a: KeyedArtifact, path: string) => `${stageBackupPrefix(a)}${path}`;
