import { describe, expect, it } from 'vitest';
import { LocalObjectStorage } from './local.storage.js';
import { S3ObjectStorage } from './s3.storage.js';
import { createObjectStorage } from './storage.factory.js';
import { InvalidStorageUrlError, parseStorageUrl } from './storage-url.js';

describe('parseStorageUrl', () => {
  it('defaults to local storage in .aleflix/media under the working directory', () => {
    expect(parseStorageUrl(undefined, '/srv/app')).toEqual({ kind: 'local', rootDir: '/srv/app/.aleflix/media' });
    expect(parseStorageUrl('  ', '/srv/app')).toEqual({ kind: 'local', rootDir: '/srv/app/.aleflix/media' });
  });

  it('reads file URLs and plain paths', () => {
    expect(parseStorageUrl('file:///var/lib/aleflix/media/')).toEqual({
      kind: 'local',
      rootDir: '/var/lib/aleflix/media',
    });
    expect(parseStorageUrl('file://localhost/data')).toEqual({ kind: 'local', rootDir: '/data' });
    expect(parseStorageUrl('./media', '/srv/app')).toEqual({ kind: 'local', rootDir: '/srv/app/media' });
    expect(parseStorageUrl('/data/media')).toEqual({ kind: 'local', rootDir: '/data/media' });
  });

  it('reads s3 URLs with an optional prefix', () => {
    expect(parseStorageUrl('s3://aleflix-media')).toEqual({ kind: 's3', bucket: 'aleflix-media' });
    expect(parseStorageUrl('s3://aleflix-media/')).toEqual({ kind: 's3', bucket: 'aleflix-media' });
    expect(parseStorageUrl('s3://aleflix-media/prod/vod/')).toEqual({
      kind: 's3',
      bucket: 'aleflix-media',
      prefix: 'prod/vod',
    });
  });

  it('reads endpoint, region and path style for S3-compatible stores', () => {
    expect(parseStorageUrl('s3://media/dev?endpoint=http://127.0.0.1:9000&region=eu-west-1')).toEqual({
      kind: 's3',
      bucket: 'media',
      prefix: 'dev',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
    expect(parseStorageUrl('s3://media?endpoint=https://r2.example.com&forcePathStyle=false')).toMatchObject({
      forcePathStyle: false,
    });
  });

  it.each([
    ['ftp://host/x', /unsupported scheme/],
    ['s3://UPPER', /bad bucket name/],
    ['s3://ab', /bad bucket name/],
    ['s3://bucket/../etc', /bad prefix/],
    ['s3://key:secret@bucket', /credentials/],
    ['s3://bucket?endpoint=localhost:9000', /endpoint/],
    ['s3://bucket?forcePathStyle=yes', /forcePathStyle/],
    ['s3://bucket?acl=public', /unknown parameter/],
    ['file://server/share', /absolute path/],
    ['file:///data?x=1', /no query/],
  ])('refuses %s', (url, reason) => {
    expect(() => parseStorageUrl(url)).toThrow(InvalidStorageUrlError);
    expect(() => parseStorageUrl(url)).toThrow(reason);
  });
});

describe('createObjectStorage', () => {
  it('builds the adapter the config names', () => {
    const local = createObjectStorage(parseStorageUrl('file:///tmp/aleflix-media'));
    expect(local).toBeInstanceOf(LocalObjectStorage);
    expect((local as LocalObjectStorage).rootDir).toBe('/tmp/aleflix-media');
    const s3 = createObjectStorage(parseStorageUrl('s3://media/prod?endpoint=http://127.0.0.1:9000&region=us-east-1'));
    expect(s3).toBeInstanceOf(S3ObjectStorage);
    expect(s3).toMatchObject({ kind: 's3', bucket: 'media', prefix: 'prod/' });
  });
});
