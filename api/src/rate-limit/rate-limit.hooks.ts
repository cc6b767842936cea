import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../common/problem.filter.js';
import { rateLimitedError, rateLimitHeaders, type RateLimitDecision, RateLimitService } from './rate-limit.service.js';

/** Probes and scrapes must never be refused: a limited health check would take an instance out of service. */
const EXEMPT = /^\/(health\/|metrics(\/|$))/;

/** The per-IP decision of each request, for the principal interceptor to compare with its own. */
const ipDecisions = new WeakMap<FastifyRequest, RateLimitDecision>();

export function ipDecisionOf(request: FastifyRequest): RateLimitDecision | undefined {
  return ipDecisions.get(request);
}

/**
 * The per-IP limit, on every request before anything else runs (no body is parsed, no
 * credential checked, for a client over its limit). The IP is Fastify's, which honours
 * X-Forwarded-For only with TRUST_PROXY.
 */
export function registerIpRateLimit(fastify: FastifyInstance, limits: RateLimitService, perMinute: number): void {
  if (perMinute <= 0) return;
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (EXEMPT.test(path)) return;
    const decision = await limits.consume('ip', request.ip, perMinute);
    if (!decision) return;
    ipDecisions.set(request, decision);
    if (!decision.allowed) {
      sendProblem(request, reply, rateLimitedError(decision, 'from this address'));
      return reply;
    }
    void reply.headers(rateLimitHeaders(decision));
    return undefined;
  });
}
