// What the ingest pipeline tells the world. The same events feed the Ink view, the plain
// log lines and --json (one event per line), so every renderer sees the same facts.

export type Outcome = 'ingested' | 'duplicate' | 'failed' | 'interrupted';

export type IngestEvent =
  | { type: 'start'; files: number; bytes: number; apiUrl: string; dryRun: boolean }
  | { type: 'warning'; message: string }
  | {
      type: 'plan';
      file: string;
      size: number;
      kind: 'movie' | 'series';
      title: string;
      externalId: string;
      season?: number;
      episode?: number;
      episodeTitle?: string;
      source: string;
      resumeUploadId?: string;
    }
  | { type: 'hash'; file: string; bytes: number; size: number }
  | { type: 'hashed'; file: string; size: number; sha256: string; cached: boolean }
  | {
      type: 'title';
      file: string;
      titleId: string;
      externalId: string;
      created: boolean;
      season?: number;
      episode?: number;
    }
  | {
      type: 'upload-open';
      file: string;
      uploadId: string;
      assetId: string;
      partCount: number;
      partSize: number;
      resumed: boolean;
      receivedParts: number[];
    }
  | { type: 'part'; file: string; uploadId: string; partNumber: number; size: number; loaded: number; total: number }
  | { type: 'uploaded'; file: string; assetId: string; uploadId: string; partsSent: number; partsSkipped: number }
  | { type: 'duplicate'; file: string; assetId: string; status: string }
  | { type: 'attached'; file: string; assetId: string; titleId: string; season?: number; episode?: number }
  | { type: 'transcode'; file: string; assetId: string; status: string; progress: number; etaSeconds: number | null }
  | { type: 'published'; titleId: string; title: string; already: boolean }
  | { type: 'publish-skipped'; titleId: string; title: string; reason: string }
  | {
      type: 'file-done';
      file: string;
      outcome: Outcome;
      assetId?: string;
      status?: string;
      reason?: string;
      line?: number;
    }
  | {
      type: 'summary';
      files: number;
      ingested: number;
      duplicates: number;
      failed: number;
      interrupted: number;
      bytesSent: number;
      seconds: number;
      failures: Array<{ file: string; reason: string; line?: number }>;
      publishFailures: Array<{ title: string; reason: string }>;
    };

export type IngestEventType = IngestEvent['type'];
export type Emit = (event: IngestEvent) => void;
