import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { configDir } from '../config/config-store.js';
import { createContext, globalsOf, isInteractive } from '../context.js';
import { CliError } from '../errors.js';
import type { Emit } from '../ingest/events.js';
import { exitCodeFor, runIngest } from '../ingest/pipeline.js';
import { buildPlan, type Plan } from '../ingest/plan.js';
import { sdkIngestApi } from '../ingest/sdk-api.js';
import { IngestState } from '../ingest/state.js';
import { jsonRenderer, plainRenderer } from '../ui/plain.js';
import { collect, examples, positiveInt } from './shared.js';

interface IngestOptions {
  manifest?: string;
  include?: string[];
  exclude?: string[];
  concurrency: number;
  partConcurrency: number;
  wait?: boolean;
  publish?: boolean;
  dryRun?: boolean;
  json?: boolean;
  state?: string;
  pollInterval: number;
}

export function registerIngest(program: Command): void {
  const command = program
    .command('ingest')
    .description(
      'Upload video files into the catalog: walk folders, take metadata from a manifest or the file names, hash, skip what the server has, upload (resumable), upsert titles and episodes, attach',
    )
    .argument('<paths...>', 'video files and folders to walk')
    .option(
      '-m, --manifest <file>',
      'CSV or JSON mapping files to metadata (title, synopsis, year, genres, series, season, episode, externalId, poster)',
    )
    .option('--include <glob>', 'only files matching this glob (repeatable; default: video extensions)', collect)
    .option('--exclude <glob>', 'skip files and folders matching this glob (repeatable)', collect)
    .option('-c, --concurrency <n>', 'files uploading at once', positiveInt, 3)
    .option('--part-concurrency <n>', 'parts in flight per file', positiveInt, 2)
    .option('--wait', 'follow transcoding until every asset is ready or failed')
    .option('--publish', 'publish each title once all its files are ready (implies --wait)')
    .option('--dry-run', 'print the plan and change nothing (no login needed)')
    .option('--json', 'write NDJSON events to stdout and nothing else')
    .option(
      '--state <file>',
      'resume state (default: .aleflix-ingest.json beside the manifest, else in the config folder)',
    )
    .addOption(hiddenPollInterval(program))
    .action(async (paths: string[], options: IngestOptions, cmd: Command) => {
      process.exitCode = await ingest(paths, options, cmd);
    });
  examples(command, [
    'aleflix ingest ./season-2/ --manifest season-2.csv --wait',
    "aleflix ingest ~/Movies --include '*.mkv' --exclude '**/extras/**' --publish",
    'aleflix ingest ./incoming --dry-run',
    'aleflix ingest ./incoming --json --wait > ingest.ndjson',
  ]);
}

function hiddenPollInterval(program: Command) {
  return program
    .createOption('--poll-interval <ms>', 'transcoding poll interval')
    .argParser((value: string) => positiveInt(value))
    .default(2000)
    .hideHelp();
}

async function ingest(paths: string[], options: IngestOptions, cmd: Command): Promise<number> {
  const globals = globalsOf(cmd);
  const context = createContext(cmd);
  const plan = await buildPlan({
    inputs: paths,
    include: options.include ?? [],
    exclude: options.exclude ?? [],
    ...(options.manifest ? { manifest: options.manifest } : {}),
  });
  if (plan.files.length === 0 && plan.failures.length === 0) {
    throw new CliError(
      `no video files found in ${paths.join(', ')}${options.include?.length ? ' matching --include' : ''}`,
    );
  }
  const statePath = options.state
    ? resolve(options.state)
    : options.manifest
      ? join(dirname(resolve(options.manifest)), '.aleflix-ingest.json')
      : join(configDir(), 'ingest-state.json');
  const write = (line: string) => void process.stdout.write(line);

  if (options.dryRun) {
    const emit = options.json ? jsonRenderer(write) : plainRenderer(write);
    return dryRun(plan, IngestState.load(statePath, { readOnly: true }), context.apiUrl, emit);
  }

  const client = context.client();
  await client.auth.me(); // one clear error up front (not logged in, wrong key) instead of one per file

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C does not wait for in-flight requests
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const live = !options.json && isInteractive(globals) ? await startInk() : undefined;
  const emit = options.json ? jsonRenderer(write) : (live?.emit ?? plainRenderer(write));
  try {
    const summary = await runIngest(
      plan,
      sdkIngestApi(client),
      {
        apiUrl: context.apiUrl,
        state: IngestState.load(statePath),
        concurrency: options.concurrency,
        partConcurrency: options.partConcurrency,
        wait: options.wait ?? false,
        publish: options.publish ?? false,
        pollIntervalMs: options.pollInterval,
        signal: controller.signal,
      },
      emit,
    );
    return exitCodeFor(summary);
  } finally {
    await live?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function dryRun(plan: Plan, state: IngestState, apiUrl: string, emit: Emit): number {
  emit({ type: 'start', files: plan.files.length + plan.failures.length, bytes: plan.bytes, apiUrl, dryRun: true });
  for (const message of plan.warnings) emit({ type: 'warning', message });
  for (const file of plan.files) {
    const { target } = file;
    const resumeUploadId = state.uploadId(file, apiUrl);
    emit({
      type: 'plan',
      file: file.display,
      size: file.size,
      kind: target.kind,
      title: target.name,
      externalId: target.externalId,
      ...(target.episode
        ? { season: target.episode.season, episode: target.episode.number, episodeTitle: target.episode.name }
        : {}),
      source: target.source,
      ...(resumeUploadId ? { resumeUploadId } : {}),
    });
  }
  for (const failure of plan.failures) {
    emit({
      type: 'file-done',
      file: failure.file,
      outcome: 'failed',
      reason: failure.reason,
      ...(failure.line ? { line: failure.line } : {}),
    });
  }
  return plan.failures.length > 0 ? 1 : 0;
}

/** Ink and React load only for people at a terminal. */
async function startInk(): Promise<{ emit: Emit; stop: () => Promise<void> }> {
  const [{ render }, { createElement }, { LiveIngest }, { IngestStore }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../ui/ingest-view.js'),
    import('../ui/model.js'),
  ]);
  const store = new IngestStore(Date.now());
  const app = render(createElement(LiveIngest, { store }), { exitOnCtrlC: false, patchConsole: false });
  return {
    emit: store.emit,
    stop: async () => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the summary paint
      app.unmount();
      await app.waitUntilExit();
    },
  };
}
