import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { currentRequestContext } from '../observability/request-context.js';
import type { AuditEntryEntity } from './audit-entry.entity.js';
import type { AuditEntryView, AuditTargetType, ListAuditQuery } from './audit.dto.js';
import { AuditRepository } from './audit.repository.js';

const SeqCursorSchema = z.object({ s: z.string().regex(/^[0-9]{1,19}$/) });

export interface AuditChange {
  action: string;
  targetType: AuditTargetType;
  targetId: string;
  before?: object | null;
  after?: object | null;
}

/**
 * The audit log of changes made through the API. Services call `record` after a change has
 * been committed; the actor comes from the request context (see observability/request-context.ts).
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly entries: AuditRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Never fails the request whose change already happened: a lost entry is logged as an
   * error (and visible in the logs' audit trail) rather than turned into a 500 after the fact.
   */
  async record(change: AuditChange): Promise<void> {
    // The request this change is made for (set up per request; the auth guard adds the caller).
    const { principal, requestId } = currentRequestContext() ?? {};
    try {
      await this.entries.insert({
        at: this.clock.now(),
        actorId: principal?.userId ?? null,
        actorEmail: principal?.email ?? null,
        actorRole: principal?.role ?? null,
        apiKeyId: principal?.apiKeyId ?? null,
        action: change.action,
        targetType: change.targetType,
        targetId: change.targetId,
        before: change.before ?? null,
        after: change.after ?? null,
        requestId: requestId ?? null,
      });
    } catch (error) {
      this.logger.error(
        `Audit entry lost: ${change.action} ${change.targetType} ${change.targetId} by ${principal?.userId ?? 'system'}: ${String(error)}`,
      );
    }
  }

  async list(query: ListAuditQuery): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    const after = query.cursor ? decodeCursor(query.cursor, SeqCursorSchema).s : undefined;
    const { cursor: _cursor, limit, ...filter } = query;
    const rows = await this.entries.page(filter, limit, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor({ s: String(last.seq) }) : null;
    return { items: page.map(toAuditEntryView), nextCursor };
  }
}

function toAuditEntryView(entry: AuditEntryEntity): AuditEntryView {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    actor: { userId: entry.actorId, email: entry.actorEmail, role: entry.actorRole, apiKeyId: entry.apiKeyId },
    action: entry.action,
    targetType: entry.targetType as AuditTargetType,
    targetId: entry.targetId,
    before: (entry.before as Record<string, unknown> | null) ?? null,
    after: (entry.after as Record<string, unknown> | null) ?? null,
    requestId: entry.requestId,
  };
}
