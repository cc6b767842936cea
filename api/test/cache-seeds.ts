import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AssetEntity } from '../src/media/asset.entity.js';

/**
 * A ready asset attached to `titleId`, written straight to the database and the local
 * media folder under `home` (a master playlist and one "segment"), so playback can be
 * exercised without transcoding anything.
 */
export async function seedReadyAsset(dataSource: DataSource, home: string, titleId: string): Promise<string> {
  const id = randomUUID();
  const outputPrefix = `assets/${id}/a1/run-seed/`;
  await dataSource.getRepository(AssetEntity).insert({
    id,
    status: 'ready',
    originalFilename: 'seed.mp4',
    contentType: 'video/mp4',
    sizeBytes: 1,
    sha256: null,
    sourceKey: `assets/${id}/source`,
    titleId,
    episodeId: null,
    outputPrefix,
    masterPlaylist: 'master.m3u8',
    posterKey: null,
    spriteKey: null,
    thumbnailsVttKey: null,
    durationSeconds: 4,
    width: 320,
    height: 180,
    videoCodec: 'h264',
    audioCodec: 'aac',
    renditions: [],
    errorCode: null,
    errorMessage: null,
    createdBy: null,
  });
  const folder = join(home, 'media', outputPrefix);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'master.m3u8'), '#EXTM3U\n#EXT-X-VERSION:7\n');
  await writeFile(join(folder, 'seg0.m4s'), Buffer.from('segment'));
  return id;
}
