import type { Job } from '@aleflix/sdk';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { createContext, globalsOf, isInteractive } from '../context.js';
import { bar, formatDuration, shortId } from '../output/format.js';
import { printJson, printLine } from '../output/print.js';
import { renderTable } from '../output/table.js';
import { examples, oneOf, positiveInt } from './shared.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('Transcoding jobs');
  examples(jobs, ['aleflix jobs ls --status running', 'aleflix jobs watch 7d1e…']);

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

  const watch = jobs
    .command('watch')
    .description('Follow a job until it succeeds or fails (exit code 1 when it fails)')
    .argument('<id>', 'job id')
    .option('--interval <ms>', 'poll interval', positiveInt, 2000)
    .option('--json', 'print one JSON object per change')
    .action(async (id: string, options: { interval: number; json?: boolean }, cmd: Command) => {
      const client = createContext(cmd).client();
      const redraw = !options.json && isInteractive(globalsOf(cmd));
      let last = '';
      for (;;) {
        const job = await client.jobs.get(id);
        const key = `${job.status}:${job.progress}`;
        if (key !== last) {
          last = key;
          const line = `${job.status.padEnd(9)} ${bar(job.progress / 100)} ${Math.floor(job.progress)}%${FINAL.has(job.status) ? '' : ` ETA ${formatDuration(job.etaSeconds)}`}${job.errorMessage ? ` — ${job.errorMessage}` : ''}`;
          if (options.json) process.stdout.write(`${JSON.stringify(job)}\n`);
          else if (redraw) process.stdout.write(`\r\x1b[2K${line}`);
          else printLine(line);
        }
        if (FINAL.has(job.status)) {
          if (redraw) process.stdout.write('\n');
          process.exitCode = job.status === 'succeeded' ? 0 : 1;
          return;
        }
        await sleep(options.interval);
      }
    });
  examples(watch, ['aleflix jobs watch 7d1e…', 'aleflix jobs watch 7d1e… --json']);
}
