import { AleflixApiError, type AleflixClient, type Title, type TitleDetail, type UpdateTitle } from '@aleflix/sdk';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { formatDuration, shortId } from '../output/format.js';
import { printJson, printLine } from '../output/print.js';
import { confirmOrYes } from '../output/prompt.js';
import { renderFields, renderTable } from '../output/table.js';
import { examples, list, oneOf, positiveInt, year } from './shared.js';

const KINDS = ['movie', 'series'] as const;
const STATUSES = ['draft', 'published', 'archived'] as const;

interface TitleFields {
  name?: string;
  slug?: string;
  synopsis?: string;
  year?: number;
  genres?: string[];
  externalId?: string;
  poster?: string;
  status?: (typeof STATUSES)[number];
}

export function registerTitles(program: Command): void {
  const titles = program.command('titles').description('The catalog: movies and series');
  examples(titles, ['aleflix titles ls --status draft', 'aleflix titles publish cidade-de-deus']);

  const ls = titles
    .command('ls')
    .description('List titles, newest first (or by relevance with --q)')
    .option('-q, --q <text>', 'full-text search')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, oneOf(STATUSES))
    .option('--kind <kind>', `one of ${KINDS.join(', ')}`, oneOf(KINDS))
    .option('--genre <genre>', 'only this genre')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(
      async (
        options: {
          q?: string;
          status?: Title['status'];
          kind?: Title['kind'];
          genre?: string;
          limit: number;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const client = createContext(cmd).client();
        const items: Title[] = [];
        const query = {
          ...(options.q ? { q: options.q } : {}),
          ...(options.status ? { status: options.status } : {}),
          ...(options.kind ? { kind: options.kind } : {}),
          ...(options.genre ? { genre: options.genre } : {}),
          limit: Math.min(options.limit, 100),
        };
        for await (const title of client.titles.iterate(query)) {
          items.push(title);
          if (items.length >= options.limit) break;
        }
        if (options.json) return printJson(items);
        printLine(
          renderTable(items, [
            { header: 'SLUG', value: (t) => t.slug, max: 40 },
            { header: 'KIND', value: (t) => t.kind },
            { header: 'NAME', value: (t) => t.name, max: 40 },
            { header: 'YEAR', value: (t) => t.year },
            { header: 'STATUS', value: (t) => t.status },
            { header: 'EXTERNAL ID', value: (t) => t.externalId, max: 36 },
            { header: 'ID', value: (t) => shortId(t.id) },
          ]),
        );
      },
    );
  examples(ls, [
    'aleflix titles ls',
    'aleflix titles ls --q "cidade" --kind movie',
    'aleflix titles ls --status published --json | jq ".[].slug"',
  ]);

  const show = titles
    .command('show')
    .description('A title with its seasons, episodes and assets')
    .argument('<title>', 'id or slug')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean }, cmd: Command) => {
      const client = createContext(cmd).client();
      const { data } = await client.titles.get(ref);
      const assets = (await client.assets.list({ titleId: data.id, limit: 100 })).items;
      if (options.json) return printJson({ ...data, assets });
      printTitle(data);
      if (assets.length > 0) {
        const episodeName = new Map(
          data.seasons.flatMap((season) =>
            season.episodes.map((episode) => [episode.id, `S${season.number}E${episode.number}`] as const),
          ),
        );
        printLine('\nAssets:');
        printLine(
          renderTable(assets, [
            { header: 'ID', value: (a) => shortId(a.id) },
            { header: 'FOR', value: (a) => (a.episodeId ? (episodeName.get(a.episodeId) ?? 'episode') : 'movie') },
            { header: 'STATUS', value: (a) => a.status },
            { header: 'DURATION', value: (a) => formatDuration(a.durationSeconds) },
            { header: 'FILE', value: (a) => a.originalFilename },
          ]),
        );
      }
    });
  examples(show, ['aleflix titles show cidade-de-deus', 'aleflix titles show 3f2a… --json']);

  const create = withFieldOptions(
    titles
      .command('create')
      .description('Create a title (a draft unless --status published)')
      .requiredOption('--kind <kind>', `one of ${KINDS.join(', ')}`, oneOf(KINDS))
      .requiredOption('--name <name>', 'display name'),
  ).action(async (options: TitleFields & { kind: Title['kind']; name: string; json?: boolean }, cmd: Command) => {
    const client = createContext(cmd).client();
    const { data } = await client.titles.create({ kind: options.kind, name: options.name, ...fieldsOf(options) });
    if (options.json) return printJson(data);
    printLine(`Created ${data.kind} "${data.name}" (${data.slug}, id ${data.id})`);
  });
  examples(create, [
    'aleflix titles create --kind movie --name "Cidade de Deus" --year 2002 --genres drama,crime',
    'aleflix titles create --kind series --name Sintonia --external-id tmdb:tv:86831',
  ]);

  const edit = withFieldOptions(
    titles
      .command('edit')
      .description('Change fields of a title (safe against concurrent edits)')
      .argument('<title>', 'id or slug')
      .option('--name <name>', 'display name'),
  ).action(async (ref: string, options: TitleFields & { json?: boolean }, cmd: Command) => {
    const client = createContext(cmd).client();
    const data = await updateTitle(client, ref, fieldsOf(options));
    if (options.json) return printJson(data);
    printLine(`Updated "${data.name}" (${data.slug}, version ${data.version})`);
  });
  examples(edit, ['aleflix titles edit cidade-de-deus --synopsis "Rio, anos 70" --year 2002']);

  for (const [name, status, verb] of [
    ['publish', 'published', 'Published'],
    ['unpublish', 'draft', 'Unpublished'],
  ] as const) {
    const command = titles
      .command(name)
      .description(name === 'publish' ? 'Make a title visible to viewers' : 'Hide a title from viewers (back to draft)')
      .argument('<title>', 'id or slug')
      .option('--json', 'print JSON')
      .action(async (ref: string, options: { json?: boolean }, cmd: Command) => {
        const client = createContext(cmd).client();
        const data = await updateTitle(client, ref, { status });
        if (options.json) return printJson(data);
        printLine(`${verb} "${data.name}" (${data.slug})`);
      });
    examples(command, [`aleflix titles ${name} cidade-de-deus`]);
  }

  const rm = titles
    .command('rm')
    .description('Delete a title with its seasons and episodes')
    .argument('<title>', 'id or slug')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (ref: string, options: { yes?: boolean }, cmd: Command) => {
      const client = createContext(cmd).client();
      const { data, etag } = await client.titles.get(ref);
      await confirmOrYes(`delete "${data.name}" (${data.slug})`, options.yes);
      await client.titles.delete(data.id, { ifMatch: etag });
      printLine(`Deleted "${data.name}"`);
    });
  examples(rm, ['aleflix titles rm old-trailer --yes']);
}

function withFieldOptions(command: Command): Command {
  return command
    .option('--slug <slug>', 'URL name')
    .option('--synopsis <text>', 'synopsis')
    .option('--year <year>', 'release year', year)
    .option('--genres <list>', 'comma-separated genres', list)
    .option('--external-id <id>', 'id in another system (for upserts)')
    .option('--poster <ref>', 'poster URL or storage key')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, oneOf(STATUSES))
    .option('--json', 'print JSON');
}

function fieldsOf(options: TitleFields): UpdateTitle {
  return {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.slug !== undefined ? { slug: options.slug } : {}),
    ...(options.synopsis !== undefined ? { synopsis: options.synopsis } : {}),
    ...(options.year !== undefined ? { year: options.year } : {}),
    ...(options.genres !== undefined ? { genres: options.genres } : {}),
    ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
    ...(options.poster !== undefined ? { posterRef: options.poster } : {}),
    ...(options.status !== undefined ? { status: options.status } : {}),
  };
}

/** Read, then write with the ETag; one more round if someone else wrote in between. */
async function updateTitle(client: AleflixClient, ref: string, changes: UpdateTitle): Promise<Title> {
  for (let attempt = 1; ; attempt++) {
    const { data, etag } = await client.titles.get(ref);
    try {
      return (await client.titles.update(data.id, changes, { ifMatch: etag })).data;
    } catch (error) {
      if (attempt >= 2 || !(error instanceof AleflixApiError && error.code === 'precondition_failed')) throw error;
    }
  }
}

function printTitle(title: TitleDetail): void {
  printLine(
    renderFields([
      ['name', title.name],
      ['slug', title.slug],
      ['id', title.id],
      ['kind', title.kind],
      ['status', title.status],
      ['year', title.year],
      ['genres', title.genres.join(', ')],
      ['external id', title.externalId],
      ['poster', title.posterRef],
      ['synopsis', title.synopsis],
    ]),
  );
  for (const season of title.seasons) {
    printLine(`\nSeason ${season.number}${season.name ? ` — ${season.name}` : ''}`);
    for (const episode of season.episodes) printLine(`  E${String(episode.number).padStart(2, '0')}  ${episode.name}`);
  }
}
