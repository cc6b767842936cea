import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fake-clock.js';
import type { AppConfig } from '../config/app-config.js';
import { TokensService } from './tokens.service.js';

const SECRET = new TextEncoder().encode('unit-test-secret-that-is-at-least-32-chars');
const OTHER_SECRET = new TextEncoder().encode('another-secret-that-is-also-32-chars-long');
const TTL = 900;
const USER = '11111111-1111-4111-8111-111111111111';
const SESSION = '22222222-2222-4222-8222-222222222222';

function setup(secret = SECRET, clock = new FakeClock(Date.UTC(2030, 0, 1, 12, 0, 0))) {
  const config = { env: { ACCESS_TOKEN_TTL_SECONDS: TTL }, jwtSecret: secret } as unknown as AppConfig;
  return { tokens: new TokensService(config, clock), clock };
}

/** A token with the claims the service issues, built by hand so single claims can be changed. */
function handMade(claims: Record<string, unknown>, options: { alg?: string; secret?: Uint8Array; now: number }) {
  const now = Math.floor(options.now / 1000);
  return new SignJWT({ sid: SESSION, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setSubject(USER)
    .setIssuer('aleflix')
    .setAudience('aleflix-api')
    .setIssuedAt(now)
    .setExpirationTime(now + TTL)
    .sign(options.secret ?? SECRET);
}

describe('TokensService', () => {
  it('verifies what it signs and returns the user, session and issue time', async () => {
    const { tokens, clock } = setup();
    const token = await tokens.sign(USER, SESSION);
    const claims = await tokens.verify(token);
    expect(claims).toEqual({ userId: USER, sessionId: SESSION, issuedAt: clock.now() });
    const payload = decodeJwt(token);
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(payload).not.toHaveProperty('role');
  });

  it('accepts a token until its lifetime ends and rejects it as token_expired afterwards', async () => {
    const { tokens, clock } = setup();
    const token = await tokens.sign(USER, SESSION);
    clock.advance((TTL - 1) * 1000);
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId: USER });
    // Verified once, it is answered without a promise, and its expiry is still checked.
    expect(tokens.verify(token)).toMatchObject({ userId: USER });
    clock.advance(2000);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'token_expired', status: 401 });
  });

  it('rejects a token signed with another secret as token_invalid', async () => {
    const { tokens: forger, clock } = setup(OTHER_SECRET);
    const { tokens } = setup(SECRET, clock);
    const forged = await forger.sign(USER, SESSION);
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: 'token_invalid', status: 401 });
  });

  it('rejects an unsigned `alg: none` token', async () => {
    const { tokens, clock } = setup();
    const now = Math.floor(clock.now().getTime() / 1000);
    const unsigned = new UnsecuredJWT({ sid: SESSION })
      .setSubject(USER)
      .setIssuer('aleflix')
      .setAudience('aleflix-api')
      .setIssuedAt(now)
      .setExpirationTime(now + TTL)
      .encode();
    expect(unsigned.endsWith('.')).toBe(true);
    await expect(tokens.verify(unsigned)).rejects.toMatchObject({ code: 'token_invalid' });
    // Same unsigned token with a signature segment glued on from a genuine token.
    const genuine = await tokens.sign(USER, SESSION);
    await expect(tokens.verify(unsigned + genuine.split('.')[2])).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('accepts a hand-made HS256 token but rejects the same claims signed with HS512 or HS384', async () => {
    const { tokens, clock } = setup();
    const now = clock.now().getTime();
    await expect(tokens.verify(await handMade({}, { now }))).resolves.toMatchObject({ sessionId: SESSION });
    await expect(tokens.verify(await handMade({}, { now, alg: 'HS512' }))).rejects.toMatchObject({
      code: 'token_invalid',
    });
    await expect(tokens.verify(await handMade({}, { now, alg: 'HS384' }))).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('rejects a token without a sid claim, or with one that is not a session id', async () => {
    const { tokens, clock } = setup();
    const now = clock.now().getTime();
    await expect(tokens.verify(await handMade({ sid: undefined }, { now }))).rejects.toMatchObject({
      code: 'token_invalid',
    });
    await expect(tokens.verify(await handMade({ sid: 42 }, { now }))).rejects.toMatchObject({ code: 'token_invalid' });
    // Would otherwise reach the uuid column and fail there as a 500.
    await expect(tokens.verify(await handMade({ sid: 'not-a-uuid' }, { now }))).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('rejects a token whose subject is not a user id', async () => {
    const { tokens, clock } = setup();
    const now = Math.floor(clock.now().getTime() / 1000);
    const token = await new SignJWT({ sid: SESSION })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setIssuer('aleflix')
      .setAudience('aleflix-api')
      .setIssuedAt(now)
      .setExpirationTime(now + TTL)
      .sign(SECRET);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('rejects tokens for another audience or issuer, and garbage', async () => {
    const { tokens, clock } = setup();
    const now = Math.floor(clock.now().getTime() / 1000);
    const otherAudience = await new SignJWT({ sid: SESSION })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(USER)
      .setIssuer('aleflix')
      .setAudience('someone-else')
      .setIssuedAt(now)
      .setExpirationTime(now + TTL)
      .sign(SECRET);
    const otherIssuer = await new SignJWT({ sid: SESSION })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(USER)
      .setIssuer('not-aleflix')
      .setAudience('aleflix-api')
      .setIssuedAt(now)
      .setExpirationTime(now + TTL)
      .sign(SECRET);
    for (const token of [otherAudience, otherIssuer, 'garbage', 'a.b.c', '']) {
      await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'token_invalid' });
    }
  });
});
