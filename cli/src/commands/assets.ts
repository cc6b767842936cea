import type { Asset } from '@aleflix/sdk';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { formatBytes, formatDuration, shortId } from '../output/format.js';
import { printJson, printLine } from '../output/print.js';
import { confirmOrYes } from '../output/prompt.js';
import { renderFields, renderTable } from '../output/table.js';
import { examples, oneOf, positiveInt } from './shared.js';

const STATUSES = ['uploading', 'queued', 'processing', 'ready', 'failed', 'deleted'] as const;

export function registerAssets(program: Command): void {
  const assets = program.command('assets').description('Uploaded videos and their transcoding');
  examples(assets, ['aleflix assets ls --status failed', 'aleflix assets retry 3f2a9c1e-…']);

  const ls = assets
    .command('ls')
    .description('List assets, newest first')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, oneOf(STATUSES))
    .option('--title <title>', 'only assets of this title (id or slug)')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(
      async (options: { status?: Asset['status']; title?: string; limit: number; json?: boolean }, cmd: Command) => {
        const client = createContext(cmd).client();
        const titleId = options.title ? (await client.titles.get(options.title)).data.id : undefined;
        const items: Asset[] = [];
        const query = {
          ...(options.status ? { status: options.status } : {}),
          ...(titleId ? { titleId } : {}),
          limit: Math.min(options.limit, 100),
        };
        for await (const asset of client.assets.iterate(query)) {
          items.push(asset);
          if (items.length >= options.limit) break;
        }
        if (options.json) return printJson(items);
        printLine(
          renderTable(items, [
            { header: 'ID', value: (a) => a.id },
            { header: 'STATUS', value: (a) => a.status },
            {
              header: 'PROGRESS',
              value: (a) => (a.job && a.status !== 'ready' ? `${Math.floor(a.job.progress)}%` : ''),
              align: 'right',
            },
            { header: 'SIZE', value: (a) => formatBytes(a.size), align: 'right' },
            { header: 'DURATION', value: (a) => formatDuration(a.durationSeconds), align: 'right' },
            { header: 'TITLE', value: (a) => shortId(a.titleId) },
            { header: 'FILE', value: (a) => a.originalFilename, max: 40 },
          ]),
        );
      },
    );
  examples(ls, ['aleflix assets ls', 'aleflix assets ls --title cidade-de-deus --json']);

  const show = assets
    .command('show')
    .description('An asset with its media details, renditions and latest job')
    .argument('<id>', 'asset id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, cmd: Command) => {
      const asset = await createContext(cmd).client().assets.get(id);
      if (options.json) return printJson(asset);
      printLine(
        renderFields([
          ['id', asset.id],
          ['status', asset.status],
          ['file', `${asset.originalFilename} (${formatBytes(asset.size)}, ${asset.contentType})`],
          ['sha256', asset.sha256],
          ['title', asset.titleId],
          ['episode', asset.episodeId],
          ['duration', formatDuration(asset.durationSeconds)],
          ['video', asset.width ? `${asset.width}x${asset.height} ${asset.videoCodec ?? ''}` : null],
          ['audio', asset.audioCodec],
          ['renditions', asset.renditions.map((r) => `${r.name} ${r.width}x${r.height}`).join(', ')],
          [
            'job',
            asset.job ? `${asset.job.status} ${Math.floor(asset.job.progress)}% (attempt ${asset.job.attempt})` : null,
          ],
          ['error', asset.errorMessage ? `${asset.errorMessage} (${asset.errorCode})` : null],
        ]),
      );
    });
  examples(show, ['aleflix assets show 3f2a9c1e-…']);

  const retry = assets
    .command('retry')
    .description('Transcode an asset again (a ready one keeps playing meanwhile)')
    .argument('<id>', 'asset id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, cmd: Command) => {
      const asset = await createContext(cmd).client().assets.retranscode(id);
      if (options.json) return printJson(asset);
      printLine(`Queued asset ${asset.id} for transcoding (attempt ${asset.job?.attempt ?? '?'})`);
    });
  examples(retry, [
    'aleflix assets retry 3f2a9c1e-…',
    'aleflix assets ls --status failed --json | jq -r ".[].id" | xargs -n1 aleflix assets retry',
  ]);

  const rm = assets
    .command('rm')
    .description('Delete an asset, its source and its outputs')
    .argument('<id>', 'asset id')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, options: { yes?: boolean }, cmd: Command) => {
      const client = createContext(cmd).client();
      const asset = await client.assets.get(id);
      await confirmOrYes(`delete asset ${asset.id} (${asset.originalFilename})`, options.yes);
      await client.assets.delete(asset.id);
      printLine(`Deleted asset ${asset.id}`);
    });
  examples(rm, ['aleflix assets rm 3f2a9c1e-… --yes']);
}
