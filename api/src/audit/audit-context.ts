import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';

/** Who is acting in the current request, for the audit log. */
export interface AuditActor {
  principal?: Principal;
  requestId?: string;
}

const storage = new AsyncLocalStorage<AuditActor>();

/** The actor of the request this code runs for; empty outside requests (start-up, workers). */
export function currentActor(): AuditActor {
  return storage.getStore() ?? {};
}

/**
 * Runs each request handler with its principal in async-local storage, so services record
 * audit entries without every method taking the caller as a parameter. Interceptors run
 * after guards: the principal is known. The handler runs on subscription, hence the wrap.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const actor: AuditActor = { requestId: String(request.id) };
    if (request.principal) actor.principal = request.principal;
    return new Observable((subscriber) => storage.run(actor, () => next.handle().subscribe(subscriber)));
  }
}

/** Runs `work` as `actor`: for code outside HTTP requests and for tests. */
export function runAs<T>(actor: AuditActor, work: () => T): T {
  return storage.run(actor, work);
}
