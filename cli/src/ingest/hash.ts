// SHA-256 of a whole file, streamed (constant memory), with progress and cancellation.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type HashFile = (path: string, onProgress: (bytes: number) => void, signal?: AbortSignal) => Promise<string>;

export const hashFile: HashFile = async (path, onProgress, signal) => {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onProgress(bytes);
  }
  return hash.digest('hex');
};
