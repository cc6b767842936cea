import { z } from 'zod';
import { pageCursor, pageLimit } from '../common/paging.js';

export const SaveProgressSchema = z
  .strictObject({
    positionSeconds: z.number().min(0).max(1_000_000),
    durationSeconds: z.number().positive().max(1_000_000).nullable().optional(),
  })
  .meta({ id: 'SaveProgress' });
export type SaveProgress = z.infer<typeof SaveProgressSchema>;

export const WatchProgressSchema = z
  .object({
    mediaId: z.uuid().describe('Movie title id or episode id'),
    titleId: z.uuid(),
    episodeId: z.uuid().nullable(),
    positionSeconds: z.number(),
    durationSeconds: z.number().nullable(),
    completed: z.boolean().describe('True near the end (last 5 % or 30 s)'),
    updatedAt: z.iso.datetime(),
    title: z.object({
      id: z.uuid(),
      slug: z.string(),
      name: z.string(),
      kind: z.enum(['movie', 'series']),
      posterRef: z.string().nullable(),
    }),
    episode: z.object({ id: z.uuid(), seasonNumber: z.int(), number: z.int(), name: z.string() }).nullable(),
  })
  .meta({ id: 'WatchProgress' });
export type WatchProgressView = z.infer<typeof WatchProgressSchema>;

export const WatchProgressListSchema = z
  .object({ items: z.array(WatchProgressSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'WatchProgressList' });

export const ListProgressQuerySchema = z.object({
  limit: pageLimit(20),
  cursor: pageCursor,
});
export type ListProgressQuery = z.infer<typeof ListProgressQuerySchema>;
