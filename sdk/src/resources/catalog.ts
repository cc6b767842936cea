// Titles, seasons and episodes. Every parameter and result type is looked up in the
// generated operations by operationId; the calls are type-checked against the paths.
import { paginate } from '../pagination.js';
import type {
  BodyOf,
  CallOptions,
  DataOf,
  HeadersOf,
  PathParamsOf,
  QueryOf,
  RequestFn,
  Upserted,
  WithEtag,
} from '../types.js';
import { upserted, withEtag } from './etag.js';

type TitleRef = PathParamsOf<'getTitle'>['title'];
type IfMatch = HeadersOf<'updateTitle'>['If-Match'];
type SeasonNumber = PathParamsOf<'upsertSeason'>['season'];
type EpisodeNumber = PathParamsOf<'upsertEpisode'>['episode'];

export interface TitlesApi {
  /** One page of titles (GET /titles); pass `nextCursor` back as `cursor` for the next. */
  list(query?: QueryOf<'listTitles'>, options?: CallOptions): Promise<DataOf<'listTitles'>>;
  /** Every title matching `query`, page after page: `for await (const title of client.titles.iterate({ q }))`. */
  iterate(
    query?: Omit<QueryOf<'listTitles'>, 'cursor'>,
    options?: CallOptions,
  ): AsyncGenerator<DataOf<'listTitles'>['items'][number], void, undefined>;
  /** A title by id or slug with its seasons and episodes, and the ETag to update it with. */
  get(title: TitleRef, options?: CallOptions): Promise<WithEtag<DataOf<'getTitle'>>>;
  create(body: BodyOf<'createTitle'>, options?: CallOptions): Promise<WithEtag<DataOf<'createTitle'>>>;
  /** Changes a title if it still has the ETag `ifMatch` (else 412 `precondition_failed`). */
  update(
    title: TitleRef,
    changes: BodyOf<'updateTitle'>,
    options: CallOptions & { ifMatch: IfMatch },
  ): Promise<WithEtag<DataOf<'updateTitle'>>>;
  /** The idempotent import path: creates the title with this externalId or updates it. */
  upsertByExternalId(
    externalId: PathParamsOf<'upsertTitleByExternalId'>['externalId'],
    body: BodyOf<'upsertTitleByExternalId'>,
    options?: CallOptions & { ifMatch?: IfMatch },
  ): Promise<Upserted<DataOf<'upsertTitleByExternalId'>>>;
  /** Deletes a title with its seasons and episodes (only if it still has `ifMatch`, when given). */
  delete(title: TitleRef, options?: CallOptions & { ifMatch?: IfMatch }): Promise<void>;
}

export interface SeasonsApi {
  /** Creates or updates a season of a series; returns the whole title. */
  upsert(
    title: TitleRef,
    season: SeasonNumber,
    body: BodyOf<'upsertSeason'>,
    options?: CallOptions,
  ): Promise<Upserted<DataOf<'upsertSeason'>>>;
  delete(title: TitleRef, season: SeasonNumber, options?: CallOptions): Promise<void>;
}

export interface EpisodesApi {
  /** Creates or updates an episode (and its season when missing); returns the whole title. */
  upsert(
    title: TitleRef,
    season: SeasonNumber,
    episode: EpisodeNumber,
    body: BodyOf<'upsertEpisode'>,
    options?: CallOptions,
  ): Promise<Upserted<DataOf<'upsertEpisode'>>>;
  delete(title: TitleRef, season: SeasonNumber, episode: EpisodeNumber, options?: CallOptions): Promise<void>;
}

function ifMatchHeader(ifMatch: string | undefined) {
  return ifMatch === undefined ? {} : { 'If-Match': ifMatch };
}

export function titlesApi(request: RequestFn): TitlesApi {
  const list: TitlesApi['list'] = async (query, options) =>
    (await request('get', '/titles', { ...options, params: { query } })).data;
  return {
    list,
    iterate: (query, options) => paginate((cursor) => list({ ...query, cursor }, options)),
    get: async (title, options) =>
      withEtag(await request('get', '/titles/{title}', { ...options, params: { path: { title } } }), 'GET /titles'),
    create: async (body, options) => withEtag(await request('post', '/titles', { ...options, body }), 'POST /titles'),
    update: async (title, changes, { ifMatch, ...options }) =>
      withEtag(
        await request('patch', '/titles/{title}', {
          ...options,
          params: { path: { title }, header: { 'If-Match': ifMatch } },
          body: changes,
        }),
        'PATCH /titles',
      ),
    upsertByExternalId: async (externalId, body, { ifMatch, ...options } = {}) =>
      upserted(
        await request('put', '/titles/by-external-id/{externalId}', {
          ...options,
          params: { path: { externalId }, header: ifMatchHeader(ifMatch) },
          body,
        }),
        'PUT /titles/by-external-id',
      ),
    delete: async (title, { ifMatch, ...options } = {}) => {
      await request('delete', '/titles/{title}', {
        ...options,
        params: { path: { title }, header: ifMatchHeader(ifMatch) },
      });
    },
  };
}

export function seasonsApi(request: RequestFn): SeasonsApi {
  return {
    upsert: async (title, season, body, options) =>
      upserted(
        await request('put', '/titles/{title}/seasons/{season}', {
          ...options,
          params: { path: { title, season } },
          body,
        }),
        'PUT /titles/{title}/seasons',
      ),
    delete: async (title, season, options) => {
      await request('delete', '/titles/{title}/seasons/{season}', { ...options, params: { path: { title, season } } });
    },
  };
}

export function episodesApi(request: RequestFn): EpisodesApi {
  const path = '/titles/{title}/seasons/{season}/episodes/{episode}' as const;
  return {
    upsert: async (title, season, episode, body, options) =>
      upserted(
        await request('put', path, { ...options, params: { path: { title, season, episode } }, body }),
        'PUT /titles/{title}/seasons/{season}/episodes',
      ),
    delete: async (title, season, episode, options) => {
      await request('delete', path, { ...options, params: { path: { title, season, episode } } });
    },
  };
}
