import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../common/problem.filter.js';
import { rateLimitedError, rateLimitHeaders, type RateLimitDecision, RateLimitService } from './rate-limit.service.js';

/** Probes and scrapes must never be refused: a limited health check would take an instance out of service. */
const EXEMPT = /^\/(?:health\/|metrics(?:[/?]|$))/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The per-IP decision, for the principal limit to compare with its own. */
    ipRateLimit: RateLimitDecision | null;
  }
}

export function ipDecisionOf(request: FastifyRequest): RateLimitDecision | undefined {
  return request.ipRateLimit ?? undefined;
}

/**
 * The per-IP limit, on every request before anything else runs (no body is parsed, no
 * credential checked, for a client over its limit). The IP is Fastify's, which honours
 * X-Forwarded-For only with TRUST_PROXY. A callback hook that decides synchronously when
 * the count is known here: an async hook costs every request a promise and a microtask turn.
 */
export function registerIpRateLimit(fastify: FastifyInstance, limits: RateLimitService, perMinute: number): void {
  if (perMinute <= 0) return;
  // A property every request object is created with: a WeakMap entry per request cost the
  // garbage collector more than the whole decision.
  fastify.decorateRequest('ipRateLimit', null);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (EXEMPT.test(request.url)) return done();
    const decided = limits.consume('ip', request.ip, perMinute);
    if (decided instanceof Promise) decided.then((decision) => applyIpDecision(decision, request, reply, done), done);
    else applyIpDecision(decided, request, reply, done);
  });
}

/** Remembers and reports the decision, or answers 429 (the rest of the lifecycle, and `done`, skipped). */
function applyIpDecision(
  decision: RateLimitDecision | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  done: () => void,
): void {
  if (!decision) return done();
  request.ipRateLimit = decision;
  if (!decision.allowed) return void sendProblem(request, reply, rateLimitedError(decision, 'from this address'));
  void reply.headers(rateLimitHeaders(decision));
  done();
}
