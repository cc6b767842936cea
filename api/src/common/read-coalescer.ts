/**
 * Shares one read among concurrent callers asking the same question, without ever answering
 * a caller with data read before it asked. A call joins the batch that is waiting to start,
 * never a read already running; so each answer comes from a read that started after the
 * call was made, and a write committed before the call is always visible in it.
 *
 * A batch starts at the end of the event-loop turn in which it was opened (or, when a read
 * of the key is running, at the end of the turn in which that read finished), so every
 * request parsed in the same turn joins it. Under load a hot key costs one read per round
 * trip instead of one per request; a lone caller waits for one turn of the loop.
 *
 * Callers share the result object: it must be treated as immutable.
 */
export class ReadCoalescer {
  private readonly keys = new Map<string, KeyState>();

  run<T>(key: string, read: () => Promise<T>): Promise<T> {
    let state = this.keys.get(key);
    if (!state) {
      state = { running: false, next: undefined };
      this.keys.set(key, state);
    }
    if (state.next) return state.next.promise as Promise<T>;
    let settle!: Batch['settle'];
    const promise = new Promise<T>((resolve, reject) => {
      settle = (result) => (result.ok ? resolve(result.value as T) : reject(result.error));
    });
    state.next = { promise, read, settle };
    if (!state.running) this.schedule(key, state);
    return promise;
  }

  /** Keys with a read running or waiting (for tests). */
  get activeKeys(): number {
    return this.keys.size;
  }

  private schedule(key: string, state: KeyState): void {
    setImmediate(() => void this.begin(key, state));
  }

  private async begin(key: string, state: KeyState): Promise<void> {
    const batch = state.next;
    if (!batch) return;
    state.next = undefined;
    state.running = true;
    try {
      batch.settle({ ok: true, value: await batch.read() });
    } catch (error) {
      batch.settle({ ok: false, error });
    } finally {
      state.running = false;
      if (state.next) this.schedule(key, state);
      else this.keys.delete(key);
    }
  }
}

type Result = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Batch {
  promise: Promise<unknown>;
  read: () => Promise<unknown>;
  settle: (result: Result) => void;
}

interface KeyState {
  running: boolean;
  next: Batch | undefined;
}
