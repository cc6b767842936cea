// When to save the playback position: every ~10 s while playing, when paused or ended, and
// when the viewer leaves (page hidden, navigation). Saves nothing that did not change.

export interface ProgressTrackerOptions {
  save: (positionSeconds: number, durationSeconds: number | null) => void | Promise<void>;
  intervalMs?: number;
  now?: () => number;
}

export interface ProgressTracker {
  /** From the video's timeupdate: saves when the interval has passed while playing. */
  timeUpdate(positionSeconds: number, durationSeconds: number | null, playing: boolean): void;
  /** Paused, ended, seeked while paused, page hidden or left: save now if anything changed. */
  flush(): void;
  readonly lastSaved: number | null;
}

export const SAVE_INTERVAL_MS = 10_000;
/** Smaller moves than this are not worth a write. */
const MIN_CHANGE_SECONDS = 0.5;

export function createProgressTracker(options: ProgressTrackerOptions): ProgressTracker {
  const intervalMs = options.intervalMs ?? SAVE_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let position: number | null = null;
  let duration: number | null = null;
  let savedPosition: number | null = null;
  let savedAt = now();

  const save = () => {
    if (position === null) return;
    if (savedPosition !== null && Math.abs(position - savedPosition) < MIN_CHANGE_SECONDS) return;
    savedPosition = position;
    savedAt = now();
    void Promise.resolve(options.save(position, duration)).catch(() => undefined);
  };

  return {
    timeUpdate(positionSeconds, durationSeconds, playing) {
      if (!Number.isFinite(positionSeconds)) return;
      position = positionSeconds;
      if (durationSeconds !== null && Number.isFinite(durationSeconds) && durationSeconds > 0)
        duration = durationSeconds;
      if (playing && now() - savedAt >= intervalMs) save();
    },
    flush: save,
    get lastSaved() {
      return savedPosition;
    },
  };
}
