import type { Summary } from '../ingest/pipeline.js';
import { formatBytes, formatDuration } from '../output/format.js';

/** "Done in 12s: 2 ingested, 1 skipped as duplicate, 1 failed (40 MiB sent)". */
export function summaryLine(summary: Summary): string {
  const parts = [
    `${summary.ingested} ingested`,
    `${summary.duplicates} skipped as duplicate`,
    `${summary.failed} failed`,
  ];
  if (summary.interrupted > 0) parts.push(`${summary.interrupted} interrupted`);
  return `Done in ${formatDuration(summary.seconds)}: ${parts.join(', ')} (${formatBytes(summary.bytesSent)} sent)`;
}
