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

/**
 * Uploads the files of a finished encode under `prefix`, several at a time, and the
 * master playlist (the last entry of `files`) only after everything else is stored, so a
 * reader that finds the master finds every file it names.
 */
export async function uploadOutputs(
  storage: ObjectStorage,
  workDir: string,
  prefix: string,
  files: readonly string[],
  parallelism = 4,
): Promise<void> {
  const last = files.at(-1);
  const rest = files.slice(0, -1);
  let next = 0;
  const lane = async () => {
    while (next < rest.length) {
      const file = rest[next++]!;
      await storage.putFile(prefix + file, join(workDir, file), { contentType: contentTypeOf(file) });
    }
  };
  await inJobStep(
    'upload outputs',
    { 'aleflix.files': files.length, 'aleflix.storage.kind': storage.kind },
    async () => {
      await Promise.all(Array.from({ length: Math.min(parallelism, rest.length) }, lane));
      if (last) await storage.putFile(prefix + last, join(workDir, last), { contentType: contentTypeOf(last) });
    },
  );
}

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream';
}
