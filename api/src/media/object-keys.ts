/**
 * Every storage key is generated here from server-side ids; no user string ever becomes
 * part of a key or a filesystem path.
 */
export const objectKeys = {
  assetRoot: (assetId: string) => `assets/${assetId}/`,
  source: (assetId: string) => `assets/${assetId}/source`,
  attempt: (assetId: string, attempt: number) => `assets/${assetId}/attempts/${attempt}/`,
};
