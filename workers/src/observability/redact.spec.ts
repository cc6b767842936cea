import { describe, expect, it } from 'vitest';
import { formatLine } from './pretty-stream.js';
import { REDACTED, scrubSecrets, scrubString } from './redact.js';

describe('scrubString', () => {
  it('cuts presigned signatures and credentials out of URLs, keeping the rest', () => {
    const url =
      'https://bucket.s3.amazonaws.com/assets/a/seg.m4s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc123&x-id=GetObject';
    expect(scrubString(url)).toBe(
      `https://bucket.s3.amazonaws.com/assets/a/seg.m4s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&x-id=GetObject`,
    );
  });

  it('cuts the playback token path segment, bearer tokens, JWTs and API keys', () => {
    expect(scrubString(`/media/hls/5f0c/1770000000.${'a'.repeat(43)}/720p/index.m3u8`)).toBe(
      `/media/hls/5f0c/${REDACTED}/720p/index.m3u8`,
    );
    expect(scrubString('header was Bearer abc.def')).toBe(`header was Bearer ${REDACTED}`);
    expect(scrubString('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature here')).toBe(`token ${REDACTED} here`);
    expect(scrubString('key alx_0123456789abcdef used')).toBe(`key alx_${REDACTED} used`);
    expect(scrubString('nothing secret in /titles/:title?limit=10')).toBe('nothing secret in /titles/:title?limit=10');
  });
});

describe('scrubSecrets', () => {
  it('replaces values under secret keys at any depth and scrubs every string', () => {
    const input = {
      headers: { authorization: 'Bearer x', cookie: 'a=b', 'set-cookie': ['c=d'], 'x-api-key': 'alx_k', accept: '*/*' },
      body: {
        email: 'a@b.c',
        password: 'p',
        newPassword: 'q',
        refreshToken: 'r',
        accessToken: 's',
        tokenType: 'Bearer',
      },
      list: [{ clientSecret: 'z' }, 'see /media/hls/id/tok/x.ts'],
      empty: { password: '' },
    };
    expect(scrubSecrets(input)).toEqual({
      headers: {
        authorization: REDACTED,
        cookie: REDACTED,
        'set-cookie': REDACTED,
        'x-api-key': REDACTED,
        accept: '*/*',
      },
      body: {
        email: 'a@b.c',
        password: REDACTED,
        newPassword: REDACTED,
        refreshToken: REDACTED,
        accessToken: REDACTED,
        tokenType: 'Bearer',
      },
      list: [{ clientSecret: REDACTED }, `see /media/hls/id/${REDACTED}/x.ts`],
      empty: { password: '' },
    });
    expect(input.body.password).toBe('p');
  });

  it('survives cycles and leaves dates and errors to their serializers', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(() => scrubSecrets(cyclic)).not.toThrow();
    const date = new Date(0);
    const error = new Error('e');
    expect(scrubSecrets({ date, error })).toEqual({ date, error });
  });
});

describe('formatLine (LOG_FORMAT=pretty)', () => {
  it('shows time, level, context and message, then the other fields', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-01-02T03:04:05.678Z',
      context: 'Jobs',
      msg: 'slow',
      jobId: 'j1',
    });
    expect(formatLine(line, false)).toBe('03:04:05.678 WARN  [Jobs] slow {"jobId":"j1"}');
    expect(formatLine('not json\n', false)).toBe('not json');
  });
});
