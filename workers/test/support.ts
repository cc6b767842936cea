import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateSyntheticClip,
  JobEventSchema,
  type DeadLetter,
  type JobEvent,
  type LogFields,
  type MediaLogger,
  type MessageQueue,
  type ObjectStorage,
  type QueueStats,
  type ReceivedMessage,
  type SendOptions,
  type SyntheticClip,
  type TranscodeJob,
} from '@aleflix/core';

/** A temp folder removed by `cleanup`. */
export async function tempDir(label: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `aleflix-workers-${label}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export async function listDir(path: string): Promise<string[]> {
  return (await readdir(path)).sort();
}

/** A test clip made by ffmpeg (testsrc2 + sine), cheap to encode unless asked otherwise. */
export async function makeClip(path: string, clip: Partial<SyntheticClip> = {}): Promise<string> {
  await generateSyntheticClip(path, { durationSeconds: 2, width: 320, height: 240, frameRate: 15, ...clip });
  return path;
}

export function jobFor(assetId: string = randomUUID(), overrides: Partial<TranscodeJob> = {}): TranscodeJob {
  return {
    type: 'transcode',
    version: 1,
    jobId: randomUUID(),
    assetId,
    attempt: 1,
    sourceKey: `assets/${assetId}/source`,
    outputPrefix: `assets/${assetId}/attempts/1/`,
    ...overrides,
  };
}

export function delivery(body: string, receiveCount = 1, attributes: Record<string, string> = {}): ReceivedMessage {
  return { id: randomUUID(), receipt: randomUUID(), body, receiveCount, attributes, sentAt: new Date() };
}

/** Every key under `prefix`, sorted. */
export async function keysUnder(storage: ObjectStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of storage.list(prefix)) keys.push(info.key);
  return keys.sort();
}

/**
 * The events queue of the handler tests: records what is sent (validated as job events) and
 * lets a test react to each one, e.g. delete the source on the first progress event.
 */
export class RecordingQueue implements MessageQueue {
  readonly name = 'transcode-events';
  readonly tellsMessageAge = false;
  readonly sent: Array<{ event: JobEvent; attributes: Record<string, string> }> = [];
  onSend: ((event: JobEvent) => void | Promise<void>) | undefined;

  get events(): JobEvent[] {
    return this.sent.map((entry) => entry.event);
  }

  async send(body: string, options?: SendOptions): Promise<string> {
    const event = JobEventSchema.parse(JSON.parse(body));
    this.sent.push({ event, attributes: options?.attributes ?? {} });
    await this.onSend?.(event);
    return randomUUID();
  }
  async sendBatch(bodies: Array<{ body: string; options?: SendOptions }>): Promise<string[]> {
    const ids: string[] = [];
    for (const { body, options } of bodies) ids.push(await this.send(body, options));
    return ids;
  }
  async receive(): Promise<ReceivedMessage[]> {
    throw new Error('not used by the worker');
  }
  async delete(): Promise<void> {}
  async deleteBatch(): Promise<void> {}
  async changeVisibility(): Promise<void> {}
  async stats(): Promise<QueueStats> {
    return { visible: this.sent.length, inFlight: 0, oldestAgeSeconds: null };
  }
  async deadLetters(): Promise<DeadLetter[]> {
    return [];
  }
}

/** Keeps log entries for assertions (and out of the test output). */
export function memoryLogger(): MediaLogger & {
  entries: Array<{ level: string; message: string; fields: LogFields }>;
} {
  const entries: Array<{ level: string; message: string; fields: LogFields }> = [];
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void entries.push({ level, message, fields });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls `check` until it returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
