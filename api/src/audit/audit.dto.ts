import { z } from 'zod';
import { pageCursor, pageLimit } from '../common/paging.js';

export const AUDIT_TARGET_TYPES = ['title', 'season', 'episode', 'user', 'api_key', 'asset'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

export const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    at: z.iso.datetime(),
    actor: z
      .object({
        userId: z.uuid().nullable(),
        email: z.string().nullable(),
        role: z.string().nullable(),
        apiKeyId: z.uuid().nullable(),
      })
      .describe('Who acted, as they were at the time; all null for the system itself'),
    action: z.string().describe('What was done, e.g. `title.update`'),
    targetType: z.enum(AUDIT_TARGET_TYPES),
    targetId: z.string(),
    before: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('The resource before the change (null for creations)'),
    after: z.record(z.string(), z.unknown()).nullable().describe('The resource after the change (null for deletions)'),
    requestId: z.string().nullable().describe('The x-request-id of the request that made the change'),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryView = z.infer<typeof AuditEntrySchema>;

export const AuditListSchema = z
  .object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditList' });

export const ListAuditQuerySchema = z.strictObject({
  limit: pageLimit(50),
  cursor: pageCursor,
  actorId: z.uuid().optional(),
  targetType: z.enum(AUDIT_TARGET_TYPES).optional(),
  targetId: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuerySchema>;
