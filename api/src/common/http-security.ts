import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Env } from '../config/config.schema.js';

/** Request headers browsers may send cross-origin: credentials, preconditions, tracing. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'x-api-key', 'x-request-id', 'traceparent'];
/** Response headers a browser client needs to read. */
const EXPOSED_HEADERS = ['etag', 'location', 'x-request-id', 'retry-after', 'content-range'];

/**
 * Security headers on every response (Helmet) and CORS for the configured origins only.
 * Credentials are bearer tokens, never cookies, so CORS never allows credentials.
 */
export async function registerHttpSecurity(app: NestFastifyApplication, env: Env): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        // The API serves JSON, HLS and images; only /docs (Swagger UI) needs scripts, its own.
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Players on other origins (the viewer, integrators) load playlists, segments and posters.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  const origins = corsOrigins(env.CORS_ORIGINS);
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ALLOWED_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
}

/** `https://a.example, https://b.example` → the list; blank entries ignored. */
export function corsOrigins(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
}
