// Renderers for pipes, CI and scripts: plain log lines (progress at 25% steps, never a
// redrawn line) and NDJSON (every event, one JSON object per line, nothing else).
import type { Emit, IngestEvent } from '../ingest/events.js';
import { formatBytes, formatDuration, shortId } from '../output/format.js';
import { summaryLine } from './summary.js';

export function jsonRenderer(write: (line: string) => void, now: () => Date = () => new Date()): Emit {
  return (event) => write(`${JSON.stringify({ ...event, time: now().toISOString() })}\n`);
}

export function plainRenderer(write: (line: string) => void): Emit {
  const quarter = new Map<string, number>();
  const say = (text: string) => write(`${text}\n`);
  /** True when `fraction` enters a new quarter for this key (so 0-100% prints at most 5 lines). */
  const step = (key: string, fraction: number) => {
    const q = Math.floor(Math.min(1, fraction) * 4);
    if ((quarter.get(key) ?? -1) >= q) return false;
    quarter.set(key, q);
    return true;
  };
  return (event: IngestEvent) => {
    switch (event.type) {
      case 'start':
        return say(
          event.dryRun
            ? `Dry run: ${event.files} file(s), ${formatBytes(event.bytes)}; nothing will be changed`
            : `Ingesting ${event.files} file(s), ${formatBytes(event.bytes)}, into ${event.apiUrl}`,
        );
      case 'warning':
        return say(`warning: ${event.message}`);
      case 'plan': {
        const where =
          event.season !== undefined
            ? ` S${pad(event.season)}E${pad(event.episode ?? 0)} "${event.episodeTitle ?? ''}"`
            : '';
        const resume = event.resumeUploadId ? ` (resumes upload ${shortId(event.resumeUploadId)})` : '';
        return say(
          `plan      ${event.file} (${formatBytes(event.size)}) → ${event.kind} "${event.title}"${where} [${event.externalId}] from ${event.source}${resume}`,
        );
      }
      case 'hashed':
        return event.cached ? undefined : say(`hashed    ${event.file} sha256:${event.sha256.slice(0, 12)}…`);
      case 'title':
        return event.created
          ? say(`title     ${event.file} → created title ${shortId(event.titleId)} [${event.externalId}]`)
          : undefined;
      case 'upload-open':
        return say(
          event.resumed
            ? `upload    ${event.file} resumed: ${event.receivedParts.length}/${event.partCount} parts already on the server`
            : `upload    ${event.file} opened: ${event.partCount} part(s) of ${formatBytes(event.partSize)}`,
        );
      case 'part':
        return step(`u:${event.file}`, event.loaded / event.total) && event.loaded < event.total
          ? say(`upload    ${event.file} ${Math.floor((event.loaded / event.total) * 100)}% (part ${event.partNumber})`)
          : undefined;
      case 'uploaded':
        return say(
          `uploaded  ${event.file} → asset ${shortId(event.assetId)} (${event.partsSent} part(s) sent, ${event.partsSkipped} resumed)`,
        );
      case 'duplicate':
        return say(`skip      ${event.file} already on the server (asset ${shortId(event.assetId)}, ${event.status})`);
      case 'attached':
        return say(`attached  ${event.file} → title ${shortId(event.titleId)}`);
      case 'transcode':
        if (event.status === 'ready' || event.status === 'failed') return undefined; // file-done says it
        return step(`t:${event.file}`, event.progress / 100)
          ? say(
              `transcode ${event.file} ${event.status} ${Math.floor(event.progress)}%${event.etaSeconds !== null ? ` ETA ${formatDuration(event.etaSeconds)}` : ''}`,
            )
          : undefined;
      case 'published':
        return say(event.already ? `published "${event.title}" (already was)` : `published "${event.title}"`);
      case 'publish-skipped':
        return say(`not published "${event.title}": ${event.reason}`);
      case 'file-done': {
        const label = { ingested: 'ok       ', duplicate: 'duplicate', failed: 'FAILED   ', interrupted: 'stopped  ' }[
          event.outcome
        ];
        const status = event.status ? ` (${event.status})` : '';
        return say(
          `${label} ${event.file}${status}${event.reason && event.outcome === 'failed' ? `: ${event.reason}` : ''}`,
        );
      }
      case 'summary': {
        say(summaryLine(event));
        for (const failure of event.failures) say(`  failed: ${failure.file}: ${failure.reason}`);
        for (const failure of event.publishFailures) say(`  not published: "${failure.title}": ${failure.reason}`);
        return undefined;
      }
      default:
        return undefined;
    }
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
