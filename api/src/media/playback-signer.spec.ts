import { describe, expect, it } from 'vitest';
import type { ApiError } from '../common/api-error.js';
import { AppConfig, parseEnv } from '../config/app-config.js';
import { FakeClock } from '../../test/fake-clock.js';
import { PlaybackSigner } from './playback-signer.js';

const ASSET = '6f1c1f7e-8a7b-4c4e-9a55-3c2b1d0e9f11';

function signer(clock = new FakeClock(), secret = 'a-secret-that-is-at-least-32-characters-long') {
  const config = new AppConfig(parseEnv({ NODE_ENV: 'test' }), {
    database: { kind: 'pglite', dataDir: undefined },
    jwtSecret: new TextEncoder().encode(secret),
  });
  return { clock, signer: new PlaybackSigner(config, clock) };
}

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('PlaybackSigner', () => {
  it('accepts its own tokens for the same asset until they expire', () => {
    const { clock, signer: s } = signer();
    const { token, expiresAt } = s.sign(ASSET, 60);
    expect(codeOf(() => s.verify(ASSET, token))).toBeUndefined();
    expect(s.verify(ASSET, token)).toEqual(expiresAt);
    clock.advance(61_000);
    expect(codeOf(() => s.verify(ASSET, token))).toBe('playback_url_expired');
  });

  it('refuses tokens for another asset, with a changed expiry, or from another secret', () => {
    const { signer: s } = signer();
    const { token } = s.sign(ASSET, 60);
    const [expiry, mac] = token.split('.');
    expect(codeOf(() => s.verify('00000000-0000-4000-8000-000000000000', token))).toBe('playback_url_invalid');
    expect(codeOf(() => s.verify(ASSET, `${Number(expiry) + 3600}.${mac}`))).toBe('playback_url_invalid');
    expect(codeOf(() => s.verify(ASSET, 'garbage'))).toBe('playback_url_invalid');
    const other = signer(undefined, 'another-secret-that-is-at-least-32-chars').signer;
    expect(codeOf(() => other.verify(ASSET, token))).toBe('playback_url_invalid');
  });
});
