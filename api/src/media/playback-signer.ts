import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';

/**
 * Signs playback paths: `<expiry>.<hmac(assetId, expiry)>`. The token is a path segment,
 * so relative URIs inside playlists (renditions, segments, the sprite) inherit it.
 */
@Injectable()
export class PlaybackSigner {
  private readonly key: Buffer;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    // A key of its own, derived from the JWT secret: playback links cannot forge tokens.
    this.key = Buffer.from(hkdfSync('sha256', config.jwtSecret, 'aleflix', 'playback-url', 32));
  }

  sign(assetId: string, ttlSeconds: number): { token: string; expiresAt: Date } {
    const expires = Math.floor(this.clock.now().getTime() / 1000) + ttlSeconds;
    return { token: `${expires}.${this.mac(assetId, expires)}`, expiresAt: new Date(expires * 1000) };
  }

  /** Checks a token for this asset; returns when it expires. */
  verify(assetId: string, token: string): Date {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) throw new ApiError('playback_url_invalid');
    const expires = Number(match[1]);
    const expected = Buffer.from(this.mac(assetId, expires));
    const given = Buffer.from(match[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new ApiError('playback_url_invalid');
    if (expires * 1000 <= this.clock.now().getTime())
      throw new ApiError('playback_url_expired', 'Ask /media/stream again');
    return new Date(expires * 1000);
  }

  private mac(assetId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${assetId}:${expires}`).digest('base64url');
  }
}
