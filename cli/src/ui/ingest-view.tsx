// The live ingest view: finished files and notes stay above (<Static>), one live row per
// active file (stage and progress), and an overall bar with files, bytes, rate and ETA.
// It only renders the model; the pipeline never knows it exists.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Box, Static, Text } from 'ink';
import type { Summary } from '../ingest/pipeline.js';
import { bar, formatBytes, formatDuration, formatPercent, shortId } from '../output/format.js';
import { summaryLine } from './summary.js';
import { throughput, type ActiveRow, type IngestModel, type IngestStore, type LogItem } from './model.js';

const OUTCOME = {
  ingested: { mark: '✔', color: 'green', label: 'ingested' },
  duplicate: { mark: '↺', color: 'cyan', label: 'already on the server' },
  failed: { mark: '✖', color: 'red', label: 'failed' },
  interrupted: { mark: '■', color: 'yellow', label: 'interrupted' },
} as const;

const STAGE_LABEL = { hash: 'hashing', upload: 'uploading', transcode: 'transcoding' } as const;

export function IngestView({ model, now }: { model: IngestModel; now: number }) {
  return (
    <>
      <Static items={model.log}>{(item, index) => <LogLine key={index} item={item} />}</Static>
      <Box flexDirection="column">
        {model.active.map((row) => (
          <ActiveLine key={row.file} row={row} />
        ))}
      </Box>
      {model.summary ? <SummaryView summary={model.summary} /> : <Overall model={model} now={now} />}
    </>
  );
}

function LogLine({ item }: { item: LogItem }) {
  if (item.kind === 'note') return <Text color={item.tone === 'warning' ? 'yellow' : 'blue'}>{item.text}</Text>;
  const { row } = item;
  const style = OUTCOME[row.outcome];
  return (
    <Text>
      <Text color={style.color}>{style.mark}</Text> {row.file} <Text dimColor>{style.label}</Text>
      {row.reason && row.outcome !== 'interrupted' ? <Text color="red">: {row.reason}</Text> : null}
      {row.assetId ? <Text dimColor> (asset {shortId(row.assetId)})</Text> : null}
    </Text>
  );
}

function ActiveLine({ row }: { row: ActiveRow }) {
  const detail =
    row.stage === 'transcode'
      ? `${row.status ?? ''}${row.etaSeconds !== null ? ` ETA ${formatDuration(row.etaSeconds)}` : ''}`
      : `${formatBytes(row.bytes)} / ${formatBytes(row.size)}`;
  return (
    <Text>
      {'  '}
      <Text color="cyan">{STAGE_LABEL[row.stage].padEnd(11)}</Text> {bar(row.fraction, 16)}{' '}
      {formatPercent(row.fraction).padStart(4)} <Text dimColor>{detail}</Text> {row.file}
    </Text>
  );
}

function Overall({ model, now }: { model: IngestModel; now: number }) {
  const { rate, etaSeconds } = throughput(model, now);
  const fraction = model.totalBytes > 0 ? model.bytesDone / model.totalBytes : 0;
  return (
    <Box marginTop={1}>
      <Text>
        <Text bold>
          {model.finished.length}/{model.totalFiles} files
        </Text>{' '}
        {bar(fraction, 24)} {formatBytes(model.bytesDone)} / {formatBytes(model.totalBytes)} · {formatBytes(rate)}/s ·
        ETA {formatDuration(etaSeconds)}
      </Text>
    </Box>
  );
}

export function SummaryView({ summary }: { summary: Summary }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>{summaryLine(summary)}</Text>
      {summary.failures.map((failure) => (
        <Text key={`${failure.file}:${failure.line ?? ''}`} color="red">
          {'  '}✖ {failure.file}: {failure.reason}
        </Text>
      ))}
      {summary.publishFailures.map((failure) => (
        <Text key={failure.title} color="red">
          {'  '}✖ publishing "{failure.title}": {failure.reason}
        </Text>
      ))}
    </Box>
  );
}

/** Follows a store and re-renders twice a second for the rate and ETA. */
export function LiveIngest({ store }: { store: IngestStore }) {
  const model = useSyncExternalStore(store.subscribe, store.snapshot);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  return <IngestView model={model} now={now} />;
}
