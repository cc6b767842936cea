// `aleflix jobs watch`: live transcoding progress from the API's event stream (through the
// SDK), rendered by Ink at a terminal, as plain lines or as NDJSON otherwise.
import type { AleflixClient, JobEventMessage } from '@aleflix/sdk';
import type { Command } from 'commander';
import { createContext, globalsOf, isInteractive } from '../context.js';
import { CliError } from '../errors.js';
import { note } from '../output/print.js';
import { shortId } from '../output/format.js';
import {
  emptyWatch,
  endingJob,
  reduceWatch,
  setLive,
  type JobsWatchModel,
  type WatchTarget,
} from '../ui/jobs-watch-model.js';
import { jsonWatchPrinter, plainWatchPrinter } from '../ui/jobs-watch-plain.js';
import { examples } from './shared.js';

interface WatchOptions {
  job?: string;
  asset?: string;
  json?: boolean;
}

/** How each renderer hears about progress. */
interface WatchRenderer {
  connected(model: JobsWatchModel): void;
  update(model: JobsWatchModel, message: JobEventMessage): void;
  stop(): Promise<void>;
}

export function registerJobsWatch(jobs: Command): void {
  const watch = jobs
    .command('watch')
    .description(
      'Follow transcoding live: a job, the current job of an asset, or every job (until Ctrl-C); exit code 1 when the watched job fails',
    )
    .argument('[id]', 'job id (same as --job)')
    .option('--job <id>', 'watch this job; ends when it succeeds or fails')
    .option('--asset <id>', "watch this asset's jobs; ends when its latest job succeeds or fails")
    .option('--json', 'print every message of the event stream as one JSON object per line')
    .action(async (id: string | undefined, options: WatchOptions, cmd: Command) => {
      if (id && options.job && id !== options.job) throw new CliError('give the job id once: as an argument or --job');
      const jobId = options.job ?? id;
      const target: WatchTarget = { ...(jobId ? { jobId } : {}), ...(options.asset ? { assetId: options.asset } : {}) };
      const client = createContext(cmd).client();
      const interactive = !options.json && isInteractive(globalsOf(cmd));
      const renderer = options.json ? jsonRenderer() : interactive ? await inkRenderer(target) : plainRenderer();
      process.exitCode = await watchJobs(client, target, renderer);
    });
  examples(watch, [
    'aleflix jobs watch 7d1e…',
    'aleflix jobs watch --asset 3f2a9c1e-… --json',
    'aleflix jobs watch            # every job, until Ctrl-C',
  ]);
}

/** Streams until the watched job ends (0 when it succeeded, 1 otherwise) or Ctrl-C (130). */
async function watchJobs(client: AleflixClient, target: WatchTarget, renderer: WatchRenderer): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let model = emptyWatch();
  try {
    const stream = client.events.subscribe(target, {
      signal: controller.signal,
      onOpen: () => {
        model = setLive(model, true);
        renderer.connected(model);
      },
    });
    for await (const message of stream) {
      model = reduceWatch(model, message);
      renderer.update(model, message);
      const ended = endingJob(model, target);
      if (ended) return ended.status === 'succeeded' ? 0 : 1;
    }
    if (controller.signal.aborted) return 130; // Ctrl-C
    // Otherwise the server ended the stream: the watched asset was deleted.
    note('watching: the event stream ended (the asset was deleted)');
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await renderer.stop();
  }
}

function describeTarget(target: WatchTarget): string {
  if (target.jobId) return `job ${shortId(target.jobId)}`;
  return target.assetId ? `asset ${shortId(target.assetId)}` : 'every job';
}

/** NDJSON on stdout; the "connected" note goes to stderr, so stdout stays machine-readable. */
function jsonRenderer(): WatchRenderer {
  const print = jsonWatchPrinter((text) => void process.stdout.write(text));
  return {
    connected: () => note('watching: connected to the event stream'),
    update: (_model, message) => print(message),
    stop: async () => undefined,
  };
}

function plainRenderer(): WatchRenderer {
  const print = plainWatchPrinter((text) => void process.stdout.write(text));
  return {
    connected: () => note('watching: connected to the event stream'),
    update: (model, message) => {
      const job = [...model.active, ...model.finished].find((item) => item.jobId === message.jobId);
      if (job) print(job);
    },
    stop: async () => undefined,
  };
}

/** Ink and React load only for people at a terminal. */
async function inkRenderer(target: WatchTarget): Promise<WatchRenderer> {
  const [{ render }, { createElement }, { LiveJobsWatch }, { JobsWatchStore }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../ui/jobs-watch-view.js'),
    import('../ui/jobs-watch-model.js'),
  ]);
  const store = new JobsWatchStore();
  const app = render(createElement(LiveJobsWatch, { store, watching: describeTarget(target) }), {
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    connected: store.set,
    update: (model) => store.set(model),
    stop: async () => {
      app.unmount();
      await app.waitUntilExit();
    },
  };
}
