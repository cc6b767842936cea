import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalObjectStorage } from '@aleflix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support.js';
import { uploadOutputs } from './outputs.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('outputs');
});
afterAll(async () => {
  await dir?.cleanup();
});

describe('uploadOutputs', () => {
  it('uploads every file under the prefix, the master playlist only after all the others', async () => {
    const work = join(dir.path, 'work');
    const files = [
      '240p/seg_00000.m4s',
      '240p/seg_00001.m4s',
      '240p/init.mp4',
      '240p/index.m3u8',
      'poster.jpg',
      'master.m3u8',
    ];
    await mkdir(join(work, '240p'), { recursive: true });
    for (const file of files) await writeFile(join(work, file), file);
    const storage = new LocalObjectStorage(join(dir.path, 'store'));
    const order: string[] = [];
    const putFile = storage.putFile.bind(storage);
    storage.putFile = async (key, path, options) => {
      await new Promise((resolve) => setTimeout(resolve, key.endsWith('seg_00001.m4s') ? 30 : 1));
      await putFile(key, path, options);
      order.push(key);
    };
    await uploadOutputs(storage, work, 'a/1/run-x/', files, 3);
    expect(order.at(-1)).toBe('a/1/run-x/master.m3u8');
    expect([...order].sort()).toEqual(files.map((file) => `a/1/run-x/${file}`).sort());
  });
});
