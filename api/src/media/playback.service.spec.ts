import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/api-error.js';
import { parseRange, presignThumbnailUris, storageUrlLifetimeSeconds } from './playback.service.js';

describe('parseRange', () => {
  it('reads the forms players send', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
  });

  it('ignores what it does not understand and refuses ranges past the end', () => {
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(() => parseRange('bytes=100-', 100)).toThrow(ApiError);
    expect(() => parseRange('bytes=9-3', 100)).toThrow(ApiError);
  });
});

describe('storageUrlLifetimeSeconds', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const after = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  it('lets presigned storage URLs live as long as the playback URL they were handed out under', () => {
    expect(storageUrlLifetimeSeconds(after(6 * 3600), now)).toBe(6 * 3600);
    expect(storageUrlLifetimeSeconds(after(90.2), now)).toBe(91);
  });

  it('stays within what SigV4 allows', () => {
    expect(storageUrlLifetimeSeconds(after(0.1), now)).toBe(1);
    expect(storageUrlLifetimeSeconds(now, now)).toBe(1);
    expect(storageUrlLifetimeSeconds(after(30 * 86_400), now)).toBe(7 * 86_400);
  });
});

describe('presignThumbnailUris', () => {
  const signer = () => {
    const asked: string[] = [];
    const presign = async (path: string) => {
      asked.push(path);
      return `https://bucket.example/run/${path}?X-Amz-Signature=abc`;
    };
    return { asked, presign };
  };

  it('makes every sprite reference absolute and signed, keeping its #xywh= fragment', async () => {
    const vtt = [
      'WEBVTT',
      '',
      '00:00:00.000 --> 00:00:02.000',
      'sprite.jpg#xywh=0,0,160,90',
      '',
      'cue-2',
      '00:00:02.000 --> 00:00:03.500',
      'sprite.jpg#xywh=160,0,160,90',
      '',
      '00:00:03.500 --> 00:00:04.000',
      'sheets/sprite-2.jpg#xywh=0,0,160,90',
      '',
    ].join('\n');
    const { asked, presign } = signer();
    expect(await presignThumbnailUris(vtt, presign)).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.000 --> 00:00:02.000',
        'https://bucket.example/run/sprite.jpg?X-Amz-Signature=abc#xywh=0,0,160,90',
        '',
        'cue-2',
        '00:00:02.000 --> 00:00:03.500',
        'https://bucket.example/run/sprite.jpg?X-Amz-Signature=abc#xywh=160,0,160,90',
        '',
        '00:00:03.500 --> 00:00:04.000',
        'https://bucket.example/run/sheets/sprite-2.jpg?X-Amz-Signature=abc#xywh=0,0,160,90',
        '',
      ].join('\n'),
    );
    // One signature per distinct image, however many cues point into it.
    expect(asked).toEqual(['sprite.jpg', 'sheets/sprite-2.jpg']);
  });

  it('leaves the header, notes, text payloads, absolute URLs and unsignable paths alone', async () => {
    const vtt = [
      'WEBVTT - sprite.jpg',
      'X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:0',
      '',
      'NOTE sprite.jpg',
      '',
      'sprite.jpg',
      '00:00:00.000 --> 00:00:01.000',
      'https://cdn.example/sprite.jpg#xywh=0,0,1,1',
      '',
      '00:00:01.000 --> 00:00:02.000',
      '/absolute/sprite.jpg#xywh=0,0,1,1',
      '',
      '00:00:02.000 --> 00:00:03.000',
      'a caption, not a URL',
      '',
      '00:00:03.000 --> 00:00:04.000',
      'missing.jpg#xywh=0,0,1,1',
    ].join('\n');
    const asked: string[] = [];
    const presign = async (path: string) => {
      asked.push(path);
      return null;
    };
    expect(await presignThumbnailUris(vtt, presign)).toBe(vtt);
    expect(asked).toEqual(['missing.jpg']);
  });

  it('keeps CRLF line endings', async () => {
    const { presign } = signer();
    expect(
      await presignThumbnailUris('WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nsprite.jpg#xywh=0,0,1,1\r\n', presign),
    ).toBe(
      'WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nhttps://bucket.example/run/sprite.jpg?X-Amz-Signature=abc#xywh=0,0,1,1\r\n',
    );
  });
});
