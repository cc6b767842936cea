// Following an asset's transcoding for --wait: the API pushes each step over its event stream;
// when that stream is not available (an older API, a proxy without WebSockets) this falls
// back to polling the asset, so --wait works either way.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Asset, JobEventMessage } from '@aleflix/sdk';

/** Where a transcode stands, in the asset's terms (queued, processing, ready, failed, deleted). */
export interface TranscodeState {
  status: string;
  progress: number;
  etaSeconds: number | null;
}

export interface FollowApi {
  getAsset(assetId: string, signal?: AbortSignal): Promise<Asset>;
  /** Live events of the asset's jobs, starting with a snapshot; ends when `signal` aborts. */
  transcodeEvents(assetId: string, signal: AbortSignal): AsyncIterable<JobEventMessage>;
}

const JOB_DONE = new Set(['succeeded', 'failed', 'cancelled']);
const ASSET_DONE = new Set(['ready', 'failed', 'deleted']);

export function stateOfAsset(asset: Asset): TranscodeState {
  return {
    status: asset.status,
    progress: asset.status === 'ready' ? 100 : (asset.job?.progress ?? 0),
    etaSeconds: asset.job?.etaSeconds ?? null,
  };
}

/**
 * Reports each step of `first`'s transcoding and resolves with the asset once it is ready,
 * failed or deleted (read from the API at the end, so the caller sees its final fields).
 */
export async function followTranscode(
  api: FollowApi,
  first: Asset,
  options: { pollIntervalMs: number; signal?: AbortSignal },
  report: (state: TranscodeState) => void,
): Promise<Asset> {
  report(stateOfAsset(first));
  if (ASSET_DONE.has(first.status)) return first;
  const { signal } = options;
  if (await followEvents(api, first.id, signal, report)) {
    const last = await api.getAsset(first.id, signal);
    report(stateOfAsset(last));
    return last;
  }
  signal?.throwIfAborted();
  let asset = first;
  while (!ASSET_DONE.has(asset.status)) {
    await sleep(options.pollIntervalMs, undefined, signal ? { signal } : {});
    asset = await api.getAsset(asset.id, signal);
    report(stateOfAsset(asset));
  }
  return asset;
}

/** True once the asset's job has finished; false when the stream is unavailable or was aborted. */
async function followEvents(
  api: FollowApi,
  assetId: string,
  signal: AbortSignal | undefined,
  report: (state: TranscodeState) => void,
): Promise<boolean> {
  // Our own controller: leaving the loop must also close the socket.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const message of api.transcodeEvents(assetId, stop.signal)) {
      if (JOB_DONE.has(message.status)) return true;
      report({
        status: message.status === 'queued' ? 'queued' : 'processing',
        progress: message.progress,
        etaSeconds: message.etaSeconds,
      });
    }
    return false;
  } catch {
    return false; // polling takes over
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}
