import { Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppConfig } from '../config/app-config.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { isUuid } from '../common/ids.js';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  issuedAt: Date;
}

const ISSUER = 'aleflix';
const VERIFIED_CACHE_SIZE = 10_000;
const AUDIENCE = 'aleflix-api';

/**
 * Signs and verifies access JWTs (HS256 only: `alg: none` and algorithm swaps fail
 * verification). The role is deliberately not trusted from the token: the guard reads the
 * user on each request so role changes and disabling take effect at once.
 */
@Injectable()
export class TokensService {
  /** Recently verified tokens (insertion-ordered, bounded). */
  private readonly verified = new Map<string, { claims: AccessClaims; expiresAt: number }>();

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get accessTtlSeconds(): number {
    return this.config.env.ACCESS_TOKEN_TTL_SECONDS;
  }

  sign(userId: string, sessionId: string): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.accessTtlSeconds)
      .sign(this.config.jwtSecret);
  }

  /** Synchronous for a token already verified: every authenticated request asks. */
  verify(token: string): AccessClaims | Promise<AccessClaims> {
    // A signature, once checked, stays valid: remember it and only re-check the expiry.
    const known = this.verified.get(token);
    if (!known) return this.verifyAndRemember(token);
    if (known.expiresAt <= this.clock.nowMs())
      return Promise.reject(new ApiError('token_expired', 'Access token has expired; refresh it'));
    return known.claims;
  }

  private async verifyAndRemember(token: string): Promise<AccessClaims> {
    const claims = await this.verifySignature(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims.claims;
  }

  private async verifySignature(token: string): Promise<{ claims: AccessClaims; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, this.config.jwtSecret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      const { sid, sub, iat } = payload;
      if (typeof sid !== 'string' || typeof sub !== 'string' || typeof iat !== 'number') {
        throw new ApiError('token_invalid', 'Token is missing required claims');
      }
      // Both ids are looked up in uuid columns: anything else would fail there (500), not here.
      if (!isUuid(sid) || !isUuid(sub)) throw new ApiError('token_invalid', 'Token claims are malformed');
      return {
        claims: { userId: sub, sessionId: sid, issuedAt: new Date(iat * 1000) },
        expiresAt: (payload.exp ?? 0) * 1000,
      };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof errors.JWTExpired)
        throw new ApiError('token_expired', 'Access token has expired; refresh it');
      throw new ApiError('token_invalid', 'Access token is invalid');
    }
  }
}
