// The live `aleflix jobs watch` view: jobs that ended stay above (<Static>), one live row per
// running or queued job, and a status line. It only renders the model.
import { useSyncExternalStore } from 'react';
import { Box, Static, Text } from 'ink';
import { bar, formatDuration, shortId } from '../output/format.js';
import type { JobsWatchModel, JobsWatchStore, WatchedJob } from './jobs-watch-model.js';

const STATUS_COLOR: Record<string, string> = {
  queued: 'gray',
  running: 'cyan',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
};

export function JobsWatchView({ model, watching }: { model: JobsWatchModel; watching: string }) {
  return (
    <>
      <Static items={model.finished}>{(job) => <JobRow key={job.jobId} job={job} />}</Static>
      <Box flexDirection="column">
        {model.active.map((job) => (
          <JobRow key={job.jobId} job={job} />
        ))}
      </Box>
      <Text dimColor>
        {model.live ? '● live' : '○ connecting…'} · watching {watching} · Ctrl-C to stop
      </Text>
    </>
  );
}

function JobRow({ job }: { job: WatchedJob }) {
  const running = job.status === 'running' || job.status === 'queued';
  return (
    <Text>
      <Text color={STATUS_COLOR[job.status] ?? 'white'}>{job.status.padEnd(9)}</Text> {bar(job.progress / 100, 16)}{' '}
      {`${Math.floor(job.progress)}%`.padStart(4)}
      <Text dimColor>
        {running ? ` ETA ${formatDuration(job.etaSeconds)}` : ''} job {shortId(job.jobId)} asset {shortId(job.assetId)}{' '}
        try {job.attempt}
      </Text>
      {job.errorMessage || job.errorCode ? <Text color="red"> {job.errorMessage ?? job.errorCode}</Text> : null}
    </Text>
  );
}

/** Follows the store. */
export function LiveJobsWatch({ store, watching }: { store: JobsWatchStore; watching: string }) {
  const model = useSyncExternalStore(store.subscribe, store.snapshot);
  return <JobsWatchView model={model} watching={watching} />;
}
