import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestState, stateKey } from '../src/ingest/state.js';

const dir = mkdtempSync(join(tmpdir(), 'aleflix-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = { path: '/media/a.mp4', size: 10, mtimeMs: 1700000000123.456 };
const api = 'http://api.test';

describe('IngestState', () => {
  it('persists hashes, open uploads and assets per API, keyed by path, size and mtime', () => {
    const path = join(dir, 'state.json');
    const state = IngestState.load(path);
    state.setSha256(file, 'ab'.repeat(32));
    state.setUpload(file, api, 'upload-1');
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const again = IngestState.load(path);
    expect(again.get(file).sha256).toBe('ab'.repeat(32));
    expect(again.uploadId(file, api)).toBe('upload-1');
    expect(again.uploadId(file, 'http://other.test')).toBeUndefined();
    // A changed file (new size or mtime) is a different entry.
    expect(again.get({ ...file, size: 11 })).toEqual({});
    expect(again.get({ ...file, mtimeMs: file.mtimeMs + 1000 })).toEqual({});

    again.setAsset(file, api, 'asset-1');
    const done = IngestState.load(path).get(file);
    expect(done.uploads).toEqual({});
    expect(done.assets).toEqual({ [api]: 'asset-1' });
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).files)).toEqual([stateKey(file)]);
  });

  it('treats a corrupt file as empty and never writes when read-only', () => {
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{ half');
    expect(IngestState.load(corrupt).get(file)).toEqual({});
    const readOnly = join(dir, 'dry.json');
    IngestState.load(readOnly, { readOnly: true }).setSha256(file, 'cd'.repeat(32));
    expect(existsSync(readOnly)).toBe(false);
  });
});
