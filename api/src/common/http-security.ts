import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Env } from '../config/config.schema.js';

/** Request headers browsers may send cross-origin: credentials, preconditions, tracing. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'x-api-key', 'x-request-id', 'traceparent'];
/** Response headers a browser client needs to read. */
const EXPOSED_HEADERS = ['etag', 'location', 'x-request-id', 'retry-after', 'content-range'];

/** Helmet's policy for the API: JSON, HLS and images, plus Swagger UI's own scripts at /docs. */
const HELMET_OPTIONS: HelmetOptions = {
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
};

/**
 * The headers Helmet sets for `options`, computed once. The policy is the same for every
 * response, and Helmet (like @fastify/helmet, which builds its middleware per request)
 * would otherwise re-render the Content-Security-Policy string on each one.
 */
export function helmetHeaders(options: HelmetOptions = HELMET_OPTIONS): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let done = false;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously');
  return Object.freeze(headers);
}

/**
 * Security headers on every response (Helmet's set, fixed at startup) and CORS for the
 * configured origins only. Credentials are bearer tokens, never cookies, so CORS never
 * allows credentials.
 */
export async function registerHttpSecurity(app: NestFastifyApplication, env: Env): Promise<void> {
  const security = helmetHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(security);
      done();
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
