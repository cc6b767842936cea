// The ingest pipeline: plain code that emits events (Ink, plain lines and --json only render
// them). Files are hashed one after the other while earlier files upload, `concurrency` at a
// time; each upload is resumable through the state file; titles and episodes are upserted
// once per run; with --wait (or --publish) each asset is followed until ready or failed (live,
// over the API's event stream), and a title is published once all of its files in this run
// are ready.
import { basename } from 'node:path';
import type { Asset, Attachment, JobEventMessage, UploadOptions, UploadResult } from '@aleflix/sdk';
import { describeError } from '../errors.js';
import type { Emit, IngestEvent, Outcome } from './events.js';
import { followTranscode } from './follow.js';
import { hashFile as defaultHashFile, type HashFile } from './hash.js';
import type { EpisodeTarget, Plan, PlannedFile, TitleTarget } from './plan.js';
import { Semaphore } from './semaphore.js';
import type { IngestState } from './state.js';

/** The API calls ingest makes; `sdkIngestApi` implements them with the SDK, tests with a fake. */
export interface IngestApi {
  upsertTitle(target: TitleTarget, signal?: AbortSignal): Promise<{ id: string; created: boolean }>;
  /** Returns the episode's id. */
  upsertEpisode(titleId: string, episode: EpisodeTarget, signal?: AbortSignal): Promise<string>;
  upload(path: string, options: UploadOptions): Promise<UploadResult>;
  attach(assetId: string, attachment: Attachment, signal?: AbortSignal): Promise<Asset>;
  getAsset(assetId: string, signal?: AbortSignal): Promise<Asset>;
  /** Live events of an asset's transcoding jobs (the API's WebSocket stream); ends when `signal` aborts. */
  transcodeEvents(assetId: string, signal: AbortSignal): AsyncIterable<JobEventMessage>;
  /** 'already' when the title was published before. */
  publish(titleId: string, signal?: AbortSignal): Promise<'published' | 'already'>;
}

export interface PipelineOptions {
  apiUrl: string;
  state: IngestState;
  /** Files uploading at once. */
  concurrency: number;
  /** Parts in flight per file. */
  partConcurrency: number;
  wait: boolean;
  publish: boolean;
  /** How often to poll an asset when the API's event stream is not available. */
  pollIntervalMs: number;
  signal?: AbortSignal;
  hashFile?: HashFile;
  now?: () => number;
}

export type Summary = Extract<IngestEvent, { type: 'summary' }>;

interface TitleGroup {
  name: string;
  titleId?: string;
  expected: number;
  settled: number;
  notReady: number;
}

export async function runIngest(plan: Plan, api: IngestApi, options: PipelineOptions, emit: Emit): Promise<Summary> {
  const now = options.now ?? Date.now;
  const hash = options.hashFile ?? defaultHashFile;
  const { signal, state, apiUrl } = options;
  const started = now();
  const slots = new Semaphore(Math.max(1, options.concurrency));
  const outcomes: Array<{ file: string; outcome: Outcome; reason?: string; line?: number }> = [];
  const publishFailures: Summary['publishFailures'] = [];
  const titles = new Map<string, Promise<{ id: string; created: boolean }>>();
  const reportedTitles = new Set<string>();
  const episodes = new Map<string, Promise<string>>();
  const groups = new Map<string, TitleGroup>();
  let bytesSent = 0;

  const done = (event: Extract<IngestEvent, { type: 'file-done' }>) => {
    outcomes.push({
      file: event.file,
      outcome: event.outcome,
      ...(event.reason ? { reason: event.reason } : {}),
      ...(event.line ? { line: event.line } : {}),
    });
    emit(event);
  };

  emit({ type: 'start', files: plan.files.length + plan.failures.length, bytes: plan.bytes, apiUrl, dryRun: false });
  for (const message of plan.warnings) emit({ type: 'warning', message });
  for (const failure of plan.failures) {
    done({
      type: 'file-done',
      file: failure.file,
      outcome: 'failed',
      reason: failure.reason,
      ...(failure.line ? { line: failure.line } : {}),
    });
  }
  for (const file of plan.files) {
    const group = groups.get(file.target.externalId) ?? {
      name: file.target.name,
      expected: 0,
      settled: 0,
      notReady: 0,
    };
    group.expected++;
    groups.set(file.target.externalId, group);
  }

  const ensureTitle = (target: TitleTarget): Promise<{ id: string; created: boolean }> => {
    let pending = titles.get(target.externalId);
    if (!pending) {
      pending = api.upsertTitle(target, signal);
      titles.set(target.externalId, pending);
    }
    return pending;
  };
  const ensureEpisode = (titleId: string, episode: EpisodeTarget): Promise<string> => {
    const key = `${titleId}:${episode.season}:${episode.number}`;
    let pending = episodes.get(key);
    if (!pending) {
      pending = api.upsertEpisode(titleId, episode, signal);
      episodes.set(key, pending);
    }
    return pending;
  };

  /** A title's last file of this run settled: publish it when they all are ready. */
  const settle = async (file: PlannedFile, ready: boolean) => {
    const group = groups.get(file.target.externalId)!;
    group.settled++;
    if (!ready) group.notReady++;
    if (group.settled < group.expected || !options.publish || !group.titleId || signal?.aborted) return;
    if (group.notReady > 0) {
      const reason = `${group.notReady} of ${group.expected} file(s) not ready`;
      emit({ type: 'publish-skipped', titleId: group.titleId, title: group.name, reason });
      return;
    }
    try {
      const result = await api.publish(group.titleId, signal);
      emit({ type: 'published', titleId: group.titleId, title: group.name, already: result === 'already' });
    } catch (error) {
      publishFailures.push({ title: group.name, reason: describeError(error) });
      emit({ type: 'publish-skipped', titleId: group.titleId, title: group.name, reason: describeError(error) });
    }
  };

  const follow = (file: PlannedFile, first: Asset): Promise<Asset> => {
    let last = '';
    return followTranscode(
      api,
      first,
      { pollIntervalMs: options.pollIntervalMs, ...(signal ? { signal } : {}) },
      ({ status, progress, etaSeconds }) => {
        const key = `${status}:${progress}`;
        if (key === last) return;
        last = key;
        emit({ type: 'transcode', file: file.display, assetId: first.id, status, progress, etaSeconds });
      },
    );
  };

  const ingestFile = async (file: PlannedFile, sha256: string) => {
    const release = await slots.acquire();
    let ready = false;
    try {
      signal?.throwIfAborted();
      const { target } = file;
      const { id: titleId, created } = await ensureTitle(target);
      groups.get(target.externalId)!.titleId = titleId;
      const episodeId = target.episode ? await ensureEpisode(titleId, target.episode) : undefined;
      const where = target.episode ? { season: target.episode.season, episode: target.episode.number } : {};
      emit({
        type: 'title',
        file: file.display,
        titleId,
        externalId: target.externalId,
        created: created && !reportedTitles.has(target.externalId),
        ...where,
      });
      reportedTitles.add(target.externalId);
      const attachTo: Attachment = { titleId, ...where };

      const resumeId = state.uploadId(file, apiUrl);
      const result = await api.upload(file.path, {
        filename: basename(file.path),
        size: file.size,
        sha256,
        attachTo,
        concurrency: options.partConcurrency,
        ...(resumeId ? { resume: { uploadId: resumeId } } : {}),
        ...(signal ? { signal } : {}),
        onOpen: ({ upload, resumed, receivedParts }) => {
          state.setUpload(file, apiUrl, upload.id);
          emit({
            type: 'upload-open',
            file: file.display,
            uploadId: upload.id,
            assetId: upload.assetId,
            partCount: upload.partCount,
            partSize: upload.partSize,
            resumed,
            receivedParts,
          });
        },
        onPart: (part) => {
          bytesSent += part.size;
          emit({
            type: 'part',
            file: file.display,
            uploadId: part.uploadId,
            partNumber: part.partNumber,
            size: part.size,
            loaded: part.loaded,
            total: part.total,
          });
        },
      });

      let asset = result.asset;
      if (result.duplicate) {
        if (asset.status === 'uploading') {
          throw new Error(
            `the server has an unfinished upload of the same content (asset ${asset.id}) that this machine cannot resume; delete it with \`aleflix assets rm ${asset.id}\` and run again`,
          );
        }
        emit({ type: 'duplicate', file: file.display, assetId: asset.id, status: asset.status });
        const attached = asset.titleId === titleId && (asset.episodeId ?? undefined) === episodeId;
        if (!attached) {
          asset = await api.attach(asset.id, attachTo, signal);
          emit({ type: 'attached', file: file.display, assetId: asset.id, titleId, ...where });
        }
      } else {
        emit({
          type: 'uploaded',
          file: file.display,
          assetId: asset.id,
          uploadId: result.uploadId ?? '',
          partsSent: result.partsSent.length,
          partsSkipped: result.partsSkipped.length,
        });
      }
      state.setAsset(file, apiUrl, asset.id);
      release(); // transcoding is the server's work: let the next file upload meanwhile

      if (options.wait || options.publish) asset = await follow(file, asset);
      ready = asset.status === 'ready';
      if (asset.status === 'failed' || asset.status === 'deleted') {
        const reason = `transcoding ${asset.status}: ${asset.errorMessage ?? asset.errorCode ?? 'no reason given'}`;
        done({
          type: 'file-done',
          file: file.display,
          outcome: 'failed',
          assetId: asset.id,
          status: asset.status,
          reason,
        });
      } else {
        const outcome = result.duplicate ? 'duplicate' : 'ingested';
        done({ type: 'file-done', file: file.display, outcome, assetId: asset.id, status: asset.status });
      }
    } catch (error) {
      if (signal?.aborted)
        done({ type: 'file-done', file: file.display, outcome: 'interrupted', reason: 'interrupted' });
      else done({ type: 'file-done', file: file.display, outcome: 'failed', reason: describeError(error) });
    } finally {
      release();
      await settle(file, ready);
    }
  };

  const running: Array<Promise<void>> = [];
  for (const file of plan.files) {
    if (signal?.aborted) {
      done({ type: 'file-done', file: file.display, outcome: 'interrupted', reason: 'interrupted' });
      continue;
    }
    let sha256 = state.get(file).sha256;
    try {
      if (sha256) emit({ type: 'hashed', file: file.display, size: file.size, sha256, cached: true });
      else {
        let lastReport = 0;
        sha256 = await hash(
          file.path,
          (bytes) => {
            const at = now();
            if (at - lastReport < 250 && bytes < file.size) return;
            lastReport = at;
            emit({ type: 'hash', file: file.display, bytes, size: file.size });
          },
          signal,
        );
        state.setSha256(file, sha256);
        emit({ type: 'hashed', file: file.display, size: file.size, sha256, cached: false });
      }
    } catch (error) {
      const interrupted = signal?.aborted ?? false;
      done({
        type: 'file-done',
        file: file.display,
        outcome: interrupted ? 'interrupted' : 'failed',
        reason: interrupted ? 'interrupted' : `cannot read the file: ${describeError(error)}`,
      });
      await settle(file, false);
      continue;
    }
    running.push(ingestFile(file, sha256));
  }
  await Promise.all(running);

  const count = (outcome: Outcome) => outcomes.filter((entry) => entry.outcome === outcome).length;
  const summary: Summary = {
    type: 'summary',
    files: outcomes.length,
    ingested: count('ingested'),
    duplicates: count('duplicate'),
    failed: count('failed'),
    interrupted: count('interrupted'),
    bytesSent,
    seconds: Math.round((now() - started) / 100) / 10,
    failures: outcomes
      .filter((entry) => entry.outcome === 'failed')
      .map(({ file, reason, line }) => ({ file, reason: reason ?? 'failed', ...(line ? { line } : {}) })),
    publishFailures,
  };
  emit(summary);
  return summary;
}

/** Exit status: 0 only when every file made it (duplicates count as made it). */
export function exitCodeFor(summary: Summary): number {
  if (summary.interrupted > 0) return 130;
  return summary.failed > 0 || summary.publishFailures.length > 0 ? 1 : 0;
}
