// Watch progress in localStorage, one key per user, until the API keeps it (ProgressBackend).
import { isFinished, type ProgressBackend, type ProgressInput, type WatchProgress } from './progress';

/** The part of Storage this needs (localStorage, or a Map-backed fake in tests). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const LOCAL_PROGRESS_LIMIT = 200;

export function localProgressKey(userId: string): string {
  return `aleflix.progress.v1.${userId}`;
}

export function createLocalProgressBackend(options: {
  storage: KeyValueStorage;
  userId: string;
  now?: () => Date;
  limit?: number;
}): ProgressBackend {
  const { storage, userId } = options;
  const now = options.now ?? (() => new Date());
  const limit = options.limit ?? LOCAL_PROGRESS_LIMIT;
  const key = localProgressKey(userId);

  const read = (): Record<string, WatchProgress> => {
    try {
      const parsed: unknown = JSON.parse(storage.getItem(key) ?? '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const entries = Object.entries(parsed as Record<string, unknown>).filter(([, value]) => isProgress(value));
      return Object.fromEntries(entries) as Record<string, WatchProgress>;
    } catch {
      return {}; // corrupt or foreign data: start over rather than break the player
    }
  };
  const write = (all: Record<string, WatchProgress>) => {
    const kept = Object.values(all).sort(byRecent).slice(0, limit);
    try {
      storage.setItem(key, JSON.stringify(Object.fromEntries(kept.map((entry) => [entry.mediaId, entry]))));
    } catch {
      // Quota exceeded or storage disabled (private mode): progress is best effort.
    }
  };

  return {
    kind: 'local',
    get: async (mediaId) => read()[mediaId] ?? null,
    put: async (input: ProgressInput) => {
      const entry: WatchProgress = {
        mediaId: input.mediaId,
        titleId: input.title.id,
        episodeId: input.episode?.id ?? null,
        positionSeconds: Math.max(0, input.positionSeconds),
        durationSeconds: input.durationSeconds,
        completed: isFinished(input.positionSeconds, input.durationSeconds),
        updatedAt: now().toISOString(),
        title: input.title,
        episode: input.episode,
      };
      const all = read();
      all[input.mediaId] = entry;
      write(all);
      return entry;
    },
    continueWatching: async (max) =>
      Object.values(read())
        .filter((entry) => !entry.completed)
        .sort(byRecent)
        .slice(0, max),
    remove: async (mediaId) => {
      const all = read();
      delete all[mediaId];
      write(all);
    },
  };
}

function byRecent(a: WatchProgress, b: WatchProgress): number {
  return b.updatedAt.localeCompare(a.updatedAt);
}

function isProgress(value: unknown): value is WatchProgress {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<WatchProgress>;
  return (
    typeof entry.mediaId === 'string' &&
    typeof entry.positionSeconds === 'number' &&
    typeof entry.updatedAt === 'string' &&
    typeof entry.title === 'object' &&
    entry.title !== null &&
    typeof entry.title.slug === 'string'
  );
}
