import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { activeTraceFields } from '@aleflix/workers';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';

/** What every log line written while handling a request says about it. */
export interface RequestContext {
  requestId: string;
  /** The trace the request belongs to: its span when tracing is on, else the incoming `traceparent`. */
  traceId?: string;
  spanId?: string;
  /** Who is calling, once the auth guard knows: the audit log records it as the actor. */
  principal?: Principal;
}

const storage = new AsyncLocalStorage<RequestContext>();
const RESOURCE = Symbol('aleflix.requestContextResource');
type WithResource = FastifyRequest & { [RESOURCE]?: AsyncResource };
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

function hasBody(request: FastifyRequest): boolean {
  const { headers } = request;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Fields for a log line: the request id, and the request's trace when no span is active. */
export function requestLogFields(): Record<string, string> | undefined {
  const request = storage.getStore();
  if (!request) return undefined;
  return {
    request_id: request.requestId,
    ...(request.traceId ? { trace_id: request.traceId } : {}),
    ...(request.spanId ? { span_id: request.spanId } : {}),
  };
}

/**
 * Makes the request's context current for everything done on its behalf (Nest's loggers
 * included). Entered in onRequest; body parsing continues in stream callbacks that run
 * outside it, so preValidation re-enters it through an AsyncResource, as
 * @fastify/request-context does.
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    // Set here rather than in an onSend hook, which would cost every response a hook run;
    // the responses sent before any hook (a malformed URL) get it from sendProblem.
    reply.header('x-request-id', request.id);
    const traced = activeTraceFields();
    const incoming = TRACEPARENT.exec(String(request.headers.traceparent ?? ''));
    const context: RequestContext = {
      requestId: request.id,
      ...(traced.trace_id ? { traceId: traced.trace_id, spanId: traced.span_id } : {}),
      ...(!traced.trace_id && incoming ? { traceId: incoming[1] } : {}),
    };
    storage.run(context, () => {
      // Only a body is parsed outside this call: a bodiless request stays in it throughout.
      if (hasBody(request)) (request as WithResource)[RESOURCE] = new AsyncResource('aleflix.request');
      done();
    });
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const resource = (request as WithResource)[RESOURCE];
    if (resource) resource.runInAsyncScope(done, request.raw);
    else done();
  });
}
