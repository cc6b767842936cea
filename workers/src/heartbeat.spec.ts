import { isMediaError, LocalObjectStorage } from '@aleflix/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deferred, memoryLogger, tempDir } from '../test/support.js';
import { startHeartbeat } from './heartbeat.js';

let dir: { path: string; cleanup: () => Promise<void> };
let storage: LocalObjectStorage;
beforeAll(async () => {
  dir = await tempDir('heartbeat');
  storage = new LocalObjectStorage(dir.path);
});
afterAll(async () => {
  await dir?.cleanup();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('startHeartbeat', () => {
  it('extends the visibility every third of the timeout and cancels once the source is gone', async () => {
    await storage.put('assets/a/source', 'video');
    vi.useFakeTimers();
    const extendVisibility = vi.fn(async (_seconds: number) => undefined);
    const cancel = new AbortController();
    const heartbeat = startHeartbeat({
      extendVisibility,
      visibilityTimeoutSeconds: 30,
      storage,
      sourceKey: 'assets/a/source',
      cancel,
      logger: memoryLogger(),
      jobId: 'j',
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(extendVisibility).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(extendVisibility).toHaveBeenCalledWith(30);
    expect(cancel.signal.aborted).toBe(false);

    await storage.delete('assets/a/source');
    await vi.advanceTimersByTimeAsync(10_000);
    vi.useRealTimers();
    await vi.waitFor(() => expect(cancel.signal.aborted).toBe(true));
    expect(isMediaError(cancel.signal.reason, 'transcode_cancelled')).toBe(true);
    await heartbeat.stop();
  });

  it('never beats more often than once a second, never overlaps, and stop waits for a beat in progress', async () => {
    vi.useFakeTimers();
    const inFlight = deferred();
    let calls = 0;
    const extendVisibility = vi.fn(async () => {
      calls++;
      await inFlight.promise;
    });
    const heartbeat = startHeartbeat({
      extendVisibility,
      visibilityTimeoutSeconds: 1,
      storage,
      sourceKey: 'assets/missing/source',
      cancel: new AbortController(),
      logger: memoryLogger(),
      jobId: 'j',
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(1);
    let stopped = false;
    const stopping = heartbeat.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    inFlight.resolve();
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(1);
  });

  it('logs a failed beat and tries again on the next one', async () => {
    vi.useFakeTimers();
    const logger = memoryLogger();
    const extendVisibility = vi.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue(undefined);
    await storage.put('assets/b/source', 'video');
    const heartbeat = startHeartbeat({
      extendVisibility,
      visibilityTimeoutSeconds: 3,
      storage,
      sourceKey: 'assets/b/source',
      cancel: new AbortController(),
      logger,
      jobId: 'j',
    });
    await vi.advanceTimersByTimeAsync(2_000);
    vi.useRealTimers();
    await vi.waitFor(() => expect(extendVisibility).toHaveBeenCalledTimes(2));
    await heartbeat.stop();
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: 'heartbeat failed' }));
  });

  it('extends nothing once the job is aborted, since its message is about to be settled', async () => {
    vi.useFakeTimers();
    await storage.put('assets/c/source', 'video');
    const extendVisibility = vi.fn(async (_seconds: number) => undefined);
    const cancel = new AbortController();
    const heartbeat = startHeartbeat({
      extendVisibility,
      visibilityTimeoutSeconds: 3,
      storage,
      sourceKey: 'assets/c/source',
      cancel,
      logger: memoryLogger(),
      jobId: 'j',
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(extendVisibility).toHaveBeenCalledTimes(1);
    cancel.abort();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(extendVisibility).toHaveBeenCalledTimes(1);
    await heartbeat.stop();
  });
});
