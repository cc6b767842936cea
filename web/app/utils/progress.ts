// Watch progress: the model shared by the local and API backends, and the rules for resuming
// and for what counts as watched. The shape is the one proposed for GET /me/progress.

export interface ProgressTitle {
  id: string;
  slug: string;
  name: string;
  kind: 'movie' | 'series';
  posterRef: string | null;
}

export interface ProgressEpisode {
  id: string;
  seasonNumber: number;
  number: number;
  name: string;
}

export interface WatchProgress {
  /** What was played: a movie's title id or an episode id (what /media/stream takes). */
  mediaId: string;
  titleId: string;
  episodeId: string | null;
  positionSeconds: number;
  durationSeconds: number | null;
  completed: boolean;
  updatedAt: string;
  title: ProgressTitle;
  episode: ProgressEpisode | null;
}

export interface ProgressInput {
  mediaId: string;
  positionSeconds: number;
  durationSeconds: number | null;
  title: ProgressTitle;
  episode: ProgressEpisode | null;
}

/** Where progress is kept: localStorage today, the API once it has /me/progress. */
export interface ProgressBackend {
  readonly kind: 'local' | 'api' | 'none';
  get(mediaId: string): Promise<WatchProgress | null>;
  put(input: ProgressInput): Promise<WatchProgress>;
  /** Unfinished items, most recently watched first. */
  continueWatching(limit: number): Promise<WatchProgress[]>;
  remove(mediaId: string): Promise<void>;
}

/** Seconds at the start that do not count as having started watching. */
export const MIN_RESUME_SECONDS = 2;

/** The closing part of a video after which it counts as watched (credits, short clips). */
export function finishedTail(durationSeconds: number): number {
  return Math.min(30, Math.max(1, durationSeconds * 0.1));
}

export function isFinished(positionSeconds: number, durationSeconds: number | null): boolean {
  if (durationSeconds === null || !(durationSeconds > 0)) return false;
  return positionSeconds >= durationSeconds - finishedTail(durationSeconds);
}

/** Where to start playing from a saved progress, or null to start at the beginning. */
export function resumePosition(
  progress: Pick<WatchProgress, 'positionSeconds' | 'durationSeconds'> | null,
): number | null {
  if (!progress) return null;
  const { positionSeconds, durationSeconds } = progress;
  if (!Number.isFinite(positionSeconds) || positionSeconds < MIN_RESUME_SECONDS) return null;
  if (isFinished(positionSeconds, durationSeconds)) return null;
  return positionSeconds;
}

/** 0..1 of the video watched, for progress bars. */
export function watchedFraction(progress: Pick<WatchProgress, 'positionSeconds' | 'durationSeconds'>): number {
  const { positionSeconds, durationSeconds } = progress;
  if (durationSeconds === null || !(durationSeconds > 0)) return 0;
  return Math.min(1, Math.max(0, positionSeconds / durationSeconds));
}

/** A backend that keeps nothing (on the server, where there is no localStorage). */
export const noProgressBackend: ProgressBackend = {
  kind: 'none',
  get: async () => null,
  put: async (input) => ({
    ...input,
    titleId: input.title.id,
    episodeId: input.episode?.id ?? null,
    completed: isFinished(input.positionSeconds, input.durationSeconds),
    updatedAt: new Date().toISOString(),
  }),
  continueWatching: async () => [],
  remove: async () => undefined,
};
