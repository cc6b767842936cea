// Repeats `run` every `intervalMs` while `shouldContinue()` says so (e.g. assets still
// transcoding). One run at a time; a failed run is retried on the next tick.

export interface Poller {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

export function createPoller(options: {
  run: () => Promise<void>;
  intervalMs: number;
  shouldContinue: () => boolean;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}): Poller {
  const setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let handle: unknown;
  let active = false;

  const schedule = () => {
    if (!active || !options.shouldContinue()) {
      active = false;
      return;
    }
    handle = setTimer(async () => {
      handle = undefined;
      try {
        await options.run();
      } catch {
        // transient: try again on the next tick
      }
      schedule();
    }, options.intervalMs);
  };

  return {
    start() {
      if (active) return;
      active = true;
      schedule();
    },
    stop() {
      active = false;
      if (handle !== undefined) clearTimer(handle);
      handle = undefined;
    },
    get running() {
      return active;
    },
  };
}
