import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFilter, findFiles } from '../src/ingest/walk.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aleflix-walk-'));
  for (const path of [
    'Movie (2002).mp4',
    'notes.txt',
    'Show/Season 1/Show.S01E01.mkv',
    'Show/Season 1/Show.S01E02.MKV',
    'Show/Season 1/Show.S01E02.sample.mkv',
    'Show/extras/behind.mp4',
    '.hidden/secret.mp4',
    'clips/a.webm',
    'clips/b.mov',
  ]) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), 'x');
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rel = async (options: Parameters<typeof findFiles>[1] = {}, inputs = [root]) =>
  (await findFiles(inputs, options)).map((file) => file.relative).sort();

describe('finding files', () => {
  it('walks folders for video files, any case, skipping hidden folders and other files', async () => {
    expect(await rel()).toEqual([
      'Movie (2002).mp4',
      'Show/Season 1/Show.S01E01.mkv',
      'Show/Season 1/Show.S01E02.MKV',
      'Show/Season 1/Show.S01E02.sample.mkv',
      'Show/extras/behind.mp4',
      'clips/a.webm',
      'clips/b.mov',
    ]);
  });

  it('applies --exclude to names and paths, and does not enter excluded folders', async () => {
    expect(await rel({ exclude: ['*.sample.mkv', 'Show/extras/**', 'clips'] })).toEqual([
      'Movie (2002).mp4',
      'Show/Season 1/Show.S01E01.mkv',
      'Show/Season 1/Show.S01E02.MKV',
    ]);
  });

  it('applies --include instead of the extension list', async () => {
    expect(await rel({ include: ['*.mkv'] })).toEqual([
      'Show/Season 1/Show.S01E01.mkv',
      'Show/Season 1/Show.S01E02.MKV',
      'Show/Season 1/Show.S01E02.sample.mkv',
    ]);
    expect(await rel({ include: ['clips/**', '*.txt'], exclude: ['**/b.*'] })).toEqual(['clips/a.webm', 'notes.txt']);
  });

  it('takes files named directly, once, even when also under a folder given', async () => {
    const files = await findFiles([join(root, 'clips/a.webm'), join(root, 'clips')]);
    expect(files.map((file) => file.relative)).toEqual(['a.webm', 'b.mov']);
    await expect(findFiles([join(root, 'missing')])).rejects.toThrow(/no such file or folder/);
  });

  it('matches globs on the relative path', () => {
    const filter = fileFilter({ exclude: ['**/extras/**'] });
    expect(filter.entersFolder('Show/extras')).toBe(false);
    expect(filter.entersFolder('Show/Season 1')).toBe(true);
    expect(filter.accepts('Show/extras/x.mp4')).toBe(false);
  });
});
