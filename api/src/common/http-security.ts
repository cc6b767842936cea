import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Env } from '../config/config.schema.js';

/** Request headers browsers may send cross-origin: credentials, preconditions, tracing. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'x-api-key', 'x-request-id', 'traceparent'];
/** Response headers a browser client needs to read. */
const EXPOSED_HEADERS = ['etag', 'location', 'x-request-id', 'retry-after', 'content-range'];

/** What every response shares: players on other origins load playlists, segments and posters. */
const SHARED_OPTIONS = {
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  crossOriginEmbedderPolicy: false,
} satisfies HelmetOptions;

/**
 * The API's own responses (JSON, HLS, images) are never documents that run anything. They
 * get the headers OWASP lists for REST APIs: a policy that allows nothing, no framing,
 * nosniff and HSTS (from Helmet's defaults), and the no-referrer default. Helmet's headers
 * that only mean something to an HTML document (the XSS filter switch, IE's download
 * option, DNS prefetching, origin-keyed agent clusters, the opener policy, Flash/PDF
 * cross-domain policies) are left to the docs page: every response carries its headers, and
 * every client parses them.
 */
const API_OPTIONS: HelmetOptions = {
  ...SHARED_OPTIONS,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  xXssProtection: false,
  xDownloadOptions: false,
  xDnsPrefetchControl: false,
  originAgentCluster: false,
  crossOriginOpenerPolicy: false,
  xPermittedCrossDomainPolicies: false,
};

/** Swagger UI at /docs is a page: its own scripts and styles only. */
const DOCS_OPTIONS: HelmetOptions = {
  ...SHARED_OPTIONS,
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
    },
  },
};

/** The docs page and its assets (`/docs`, `/docs/…`), not a route that merely starts alike. */
const DOCS_PATH = /^\/docs(?:[/?]|$)/;

/**
 * The headers Helmet sets for `options`, computed once. The policy is the same for every
 * response, and Helmet (like @fastify/helmet, which builds its middleware per request)
 * would otherwise re-render the Content-Security-Policy string on each one.
 */
export function helmetHeaders(options: HelmetOptions = API_OPTIONS): Readonly<Record<string, string>> {
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
 * Security headers on every response (Helmet's set, fixed at startup: one for the API, one
 * for the docs page) and CORS for the configured origins only. Credentials are bearer
 * tokens, never cookies, so CORS never allows credentials.
 */
export async function registerHttpSecurity(app: NestFastifyApplication, env: Env): Promise<void> {
  const api = helmetHeaders(API_OPTIONS);
  const docs = helmetHeaders(DOCS_OPTIONS);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      void reply.headers(DOCS_PATH.test(request.url) ? docs : api);
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
