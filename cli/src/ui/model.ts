// The live view's state, folded from ingest events by a pure reducer (tested without a
// terminal). Ink renders it; nothing here knows about React.
import type { IngestEvent, Outcome } from '../ingest/events.js';
import type { Summary } from '../ingest/pipeline.js';

export type Stage = 'hash' | 'upload' | 'transcode';

export interface ActiveRow {
  file: string;
  size: number;
  stage: Stage;
  /** 0..1 of the current stage. */
  fraction: number;
  /** Bytes of the current stage (hash, upload). */
  bytes: number;
  etaSeconds: number | null;
  status?: string;
}

export interface FinishedRow {
  file: string;
  outcome: Outcome;
  reason?: string;
  assetId?: string;
}

/** Lines kept above the live area (Ink's <Static>): append-only. */
export type LogItem = { kind: 'file'; row: FinishedRow } | { kind: 'note'; text: string; tone: 'note' | 'warning' };

export interface IngestModel {
  startedAt: number;
  apiUrl: string;
  totalFiles: number;
  totalBytes: number;
  /** Bytes on the server (uploaded now, resumed, or skipped as duplicate). */
  bytesDone: number;
  /** Bytes sent in this run, for the rate. */
  bytesSent: number;
  active: ActiveRow[];
  finished: FinishedRow[];
  log: LogItem[];
  summary?: Summary;
}

export function initialModel(startedAt: number): IngestModel {
  return {
    startedAt,
    apiUrl: '',
    totalFiles: 0,
    totalBytes: 0,
    bytesDone: 0,
    bytesSent: 0,
    active: [],
    finished: [],
    log: [],
  };
}

export function reduce(model: IngestModel, event: IngestEvent): IngestModel {
  switch (event.type) {
    case 'start':
      return { ...model, apiUrl: event.apiUrl, totalFiles: event.files, totalBytes: event.bytes };
    case 'warning':
      return { ...model, log: [...model.log, { kind: 'note', tone: 'warning', text: event.message }] };
    case 'hash':
      return upsertRow(model, event.file, {
        size: event.size,
        stage: 'hash',
        fraction: ratio(event.bytes, event.size),
        bytes: event.bytes,
      });
    case 'hashed':
      return upsertRow(model, event.file, { size: event.size, stage: 'upload', fraction: 0, bytes: 0 });
    case 'upload-open': {
      const row = model.active.find((item) => item.file === event.file);
      const size = row?.size ?? event.partCount * event.partSize;
      const resumed = Math.min(size, event.receivedParts.length * event.partSize);
      return {
        ...upsertRow(model, event.file, { stage: 'upload', fraction: ratio(resumed, size), bytes: resumed }),
        bytesDone: model.bytesDone + resumed,
      };
    }
    case 'part':
      return {
        ...upsertRow(model, event.file, {
          stage: 'upload',
          fraction: ratio(event.loaded, event.total),
          bytes: event.loaded,
        }),
        bytesDone: model.bytesDone + event.size,
        bytesSent: model.bytesSent + event.size,
      };
    case 'duplicate': {
      const row = model.active.find((item) => item.file === event.file);
      return { ...model, bytesDone: model.bytesDone + (row?.size ?? 0) };
    }
    case 'transcode':
      return upsertRow(model, event.file, {
        stage: 'transcode',
        fraction: event.progress / 100,
        bytes: 0,
        etaSeconds: event.etaSeconds,
        status: event.status,
      });
    case 'published':
      return {
        ...model,
        log: [
          ...model.log,
          { kind: 'note', tone: 'note', text: `published "${event.title}"${event.already ? ' (already was)' : ''}` },
        ],
      };
    case 'publish-skipped':
      return {
        ...model,
        log: [...model.log, { kind: 'note', tone: 'warning', text: `not published "${event.title}": ${event.reason}` }],
      };
    case 'file-done': {
      const row = model.active.find((item) => item.file === event.file);
      // A file that failed mid-upload still counts as settled in the overall bytes.
      const unsent =
        row && row.stage !== 'transcode' && event.outcome !== 'duplicate' ? Math.max(0, row.size - row.bytes) : 0;
      const finished: FinishedRow = {
        file: event.file,
        outcome: event.outcome,
        ...(event.reason ? { reason: event.reason } : {}),
        ...(event.assetId ? { assetId: event.assetId } : {}),
      };
      return {
        ...model,
        bytesDone: model.bytesDone + (event.outcome === 'failed' || event.outcome === 'interrupted' ? unsent : 0),
        active: model.active.filter((item) => item.file !== event.file),
        finished: [...model.finished, finished],
        log: [...model.log, { kind: 'file', row: finished }],
      };
    }
    case 'summary':
      return { ...model, summary: event };
    default:
      return model;
  }
}

/** Upload rate (bytes/s) and the time left for the remaining bytes, from the run so far. */
export function throughput(model: IngestModel, now: number): { rate: number; etaSeconds: number | null } {
  const seconds = Math.max(0.001, (now - model.startedAt) / 1000);
  const rate = model.bytesSent / seconds;
  const left = Math.max(0, model.totalBytes - model.bytesDone);
  return { rate, etaSeconds: rate > 0 ? left / rate : null };
}

function upsertRow(model: IngestModel, file: string, change: Partial<ActiveRow>): IngestModel {
  const index = model.active.findIndex((row) => row.file === file);
  if (index < 0) {
    const row: ActiveRow = { file, size: 0, stage: 'hash', fraction: 0, bytes: 0, etaSeconds: null, ...change };
    return { ...model, active: [...model.active, row] };
  }
  const active = [...model.active];
  active[index] = { ...active[index]!, ...change };
  return { ...model, active };
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? Math.min(1, part / whole) : 1;
}

/** Holds the model outside React, so no event is lost before the view subscribes. */
export class IngestStore {
  private model: IngestModel;
  private readonly listeners = new Set<() => void>();

  constructor(startedAt: number) {
    this.model = initialModel(startedAt);
  }

  readonly emit = (event: IngestEvent): void => {
    this.model = reduce(this.model, event);
    for (const listener of this.listeners) listener();
  };

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): IngestModel => this.model;
}
