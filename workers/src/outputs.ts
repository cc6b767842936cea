import { join } from 'node:path';
import type { ObjectStorage } from '@aleflix/core';
import { inJobStep } from './observability/job-tracing.js';

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  jpg: 'image/jpeg',
  vtt: 'text/vtt',
  json: 'application/json',
};

export interface UploadOutputsOptions {
  /** Files stored at once. */
  parallelism?: number;
  /**
   * Once aborted, no further file is started, the master playlist included, and the upload
   * rejects with the signal's reason. The puts already running get the signal too
   * (`PutOptions.signal`): the storage cuts them short, stores no partial file, and they are
   * waited for only until they have stopped (see uploadOutputs).
   */
  signal?: AbortSignal;
}

/**
 * Uploads the files of a finished encode under `prefix`, several at a time, and the
 * master playlist (the last entry of `files`) only after everything else is stored, so a
 * reader that finds the master finds every file it names.
 *
 * After a failure or an abort no new put starts, and the returned promise settles only once
 * every put in flight has ended: a caller that then deletes the run's folder knows no late
 * write can land in it afterwards. On abort the puts in flight are cut short through the
 * storage's signal, so that wait is short even for big files; a caller that must not wait at
 * all (a worker stopping) still stops waiting on its own signal and deletes the folder once
 * this has settled.
 */
export async function uploadOutputs(
  storage: ObjectStorage,
  workDir: string,
  prefix: string,
  files: readonly string[],
  options: UploadOutputsOptions = {},
): Promise<void> {
  const { signal } = options;
  const last = files.at(-1);
  const rest = files.slice(0, -1);
  let next = 0;
  let failed = false;
  const put = (file: string) =>
    storage.putFile(prefix + file, join(workDir, file), { contentType: contentTypeOf(file), signal });
  const lane = async () => {
    while (next < rest.length && !failed) {
      signal?.throwIfAborted();
      const file = rest[next++]!;
      try {
        await put(file);
      } catch (error) {
        // The other lanes finish the put they are in and take no more files.
        failed = true;
        throw error;
      }
    }
  };
  await inJobStep(
    'upload outputs',
    { 'aleflix.files': files.length, 'aleflix.storage.kind': storage.kind },
    async () => {
      const lanes = await Promise.allSettled(
        Array.from({ length: Math.min(options.parallelism ?? 4, rest.length) }, lane),
      );
      const rejected = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
      if (rejected) throw rejected.reason;
      signal?.throwIfAborted();
      if (last) await put(last);
    },
  );
}

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream';
}
