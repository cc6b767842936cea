import type { Job } from '@aleflix/sdk';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { formatDuration, shortId } from '../output/format.js';
import { printJson, printLine } from '../output/print.js';
import { renderTable } from '../output/table.js';
import { registerJobsWatch } from './jobs-watch.js';
import { examples, oneOf, positiveInt } from './shared.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('Transcoding jobs');
  examples(jobs, ['aleflix jobs ls --status running', 'aleflix jobs watch --asset 3f2a9c1e-…']);

  const ls = jobs
    .command('ls')
    .description('List jobs, newest first')
    .option('--asset <id>', 'only jobs of this asset')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, oneOf(STATUSES))
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(
      async (options: { asset?: string; status?: Job['status']; limit: number; json?: boolean }, cmd: Command) => {
        const client = createContext(cmd).client();
        const items: Job[] = [];
        const query = {
          ...(options.asset ? { assetId: options.asset } : {}),
          ...(options.status ? { status: options.status } : {}),
          limit: Math.min(options.limit, 100),
        };
        for await (const job of client.jobs.iterate(query)) {
          items.push(job);
          if (items.length >= options.limit) break;
        }
        if (options.json) return printJson(items);
        printLine(
          renderTable(items, [
            { header: 'ID', value: (j) => j.id },
            { header: 'ASSET', value: (j) => shortId(j.assetId) },
            { header: 'TRY', value: (j) => j.attempt, align: 'right' },
            { header: 'STATUS', value: (j) => j.status },
            { header: 'PROGRESS', value: (j) => `${Math.floor(j.progress)}%`, align: 'right' },
            { header: 'ETA', value: (j) => (FINAL.has(j.status) ? '' : formatDuration(j.etaSeconds)), align: 'right' },
            { header: 'WORKER', value: (j) => j.workerId, max: 30 },
            { header: 'ERROR', value: (j) => j.errorMessage, max: 40 },
          ]),
        );
      },
    );
  examples(ls, ['aleflix jobs ls', 'aleflix jobs ls --asset 3f2a9c1e-… --json']);

  registerJobsWatch(jobs);
}
