import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Injectable, Optional } from '@nestjs/common';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { AuditService } from '../audit/audit.service.js';
import { CacheService, type CacheCodec } from '../cache/cache.service.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { jsonTextCodec, JsonText } from '../common/json-text.js';
import { ReadCoalescer } from '../common/read-coalescer.js';
import { shareJson } from '../common/shared-json.js';
import { canSeeDrafts } from '../common/roles.js';
import { isUniqueViolation, violatedColumn } from '../database/db-errors.js';
import { etagFor, expectedVersion } from './etag.js';
import { SeasonsRepository } from './seasons.repository.js';
import { slugify } from './slug.js';
import type { TitleEntity } from './title.entity.js';
import type {
  CreateTitle,
  ListTitlesQuery,
  TitleDetailView,
  TitleList,
  TitleView,
  UpdateTitle,
  UpsertTitle,
} from './titles.dto.js';
import { toTitleDetailView, toTitleView } from './titles.mapper.js';
import { TitlesRepository, type TitleFilter, type TitlePosition } from './titles.repository.js';
import { isUuid } from '../common/ids.js';

const SLUG_ATTEMPTS = 5;
const LIST_CODEC = jsonTextCodec<TitleList>();

const CursorSchema = z.union([
  z.object({ f: z.string(), k: z.string(), i: z.uuid() }),
  z.object({ f: z.string(), o: z.int().min(0) }),
]);

export interface Tagged<T> {
  title: T;
  etag: string;
}

/** Catalog rules: who sees what, slugs, optimistic locking, idempotent upserts. */
@Injectable()
export class TitlesService {
  /**
   * Concurrent identical reads (the home page's rows under load) share one database or
   * cache read and one JSON rendering, never one that started before they arrived.
   */
  private readonly reads = new ReadCoalescer();

  constructor(
    private readonly titles: TitlesRepository,
    private readonly seasons: SeasonsRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Optional() private readonly cache?: CacheService,
  ) {}

  /**
   * Lists and title pages are cached per visibility class (viewers: published only; editors
   * and admins: everything), never per user: the class is all that changes the answer.
   */
  list(principal: Principal, query: ListTitlesQuery): Promise<JsonText<TitleList>> {
    const key = `list:${visibilityClass(principal)}:${stableJson(query)}`;
    return this.reads.run(key, () => this.cached(key, () => this.loadList(principal, query), LIST_CODEC));
  }

  get(principal: Principal, ref: string): Promise<Tagged<TitleDetailView>> {
    const key = `title:${visibilityClass(principal)}:${ref}`;
    return this.reads.run(key, async () => {
      const tagged = await this.cached(key, async () => this.detail(await this.resolve(ref, principal)));
      shareJson(tagged.title);
      return tagged;
    });
  }

  /**
   * Call after every committed write to titles, seasons or episodes: both the catalog and
   * playback (which checks a title's status and resolves episodes) change with them.
   */
  async changed(): Promise<void> {
    await this.cache?.invalidate('catalog', 'playback');
  }

  private cached<T>(key: string, load: () => Promise<T>, codec?: CacheCodec<T>): Promise<T> {
    return this.cache ? this.cache.wrap('catalog', key, load, codec ? { codec } : {}) : load();
  }

  private async loadList(principal: Principal, query: ListTitlesQuery): Promise<JsonText<TitleList>> {
    const filter: TitleFilter = {
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.genre ? { genre: query.genre } : {}),
      ...(query.year !== undefined ? { year: query.year } : {}),
      ...(query.q?.trim() ? { q: query.q.trim() } : {}),
    };
    const visible = canSeeDrafts(principal.role) ? undefined : (['published'] as const);
    if (query.status && visible && !visible.includes(query.status as 'published')) return titleList([], null);
    if (query.status) filter.statuses = [query.status];
    else if (visible) filter.statuses = visible;
    const sort = query.sort ?? (filter.q ? 'relevance' : '-createdAt');
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([filter, sort]))
      .digest('base64url')
      .slice(0, 12);
    let after: TitlePosition | undefined;
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, CursorSchema);
      if (cursor.f !== fingerprint) throw new ApiError('invalid_cursor', 'This cursor belongs to a different query');
      after = 'o' in cursor ? { kind: 'offset', offset: cursor.o } : { kind: 'keyset', key: cursor.k, id: cursor.i };
    }
    const rows = await this.titles.page({ filter, sort, limit: query.limit, ...(after ? { after } : {}) });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    let nextCursor: string | null = null;
    if (rows.length > query.limit && last) {
      nextCursor =
        sort === 'relevance'
          ? encodeCursor({ f: fingerprint, o: (after?.kind === 'offset' ? after.offset : 0) + page.length })
          : encodeCursor({ f: fingerprint, k: last.key, i: last.id });
    }
    return titleList(
      page.map((row) => row.json),
      nextCursor,
    );
  }

  async create(input: CreateTitle): Promise<Tagged<TitleView>> {
    const title = await this.insertWithSlug(input);
    return { title: toTitleView(title), etag: etagFor(title.version) };
  }

  async update(ref: string, ifMatch: string | undefined, input: UpdateTitle): Promise<Tagged<TitleView>> {
    const current = await this.resolve(ref);
    const expected = expectedVersion(ifMatch, current.version, true) ?? current.version;
    return this.applyUpdate(current, expected, input);
  }

  /**
   * Idempotent import: creates the title with this externalId, or updates the fields given.
   * Running the same manifest twice changes nothing the second time.
   */
  async upsertByExternalId(
    externalId: string,
    ifMatch: string | undefined,
    input: UpsertTitle,
  ): Promise<Tagged<TitleView> & { created: boolean }> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const existing = await this.titles.findByExternalId(externalId);
      if (existing) {
        if (existing.kind !== input.kind) {
          throw new ApiError('conflict', `Title ${externalId} is a ${existing.kind}; kind cannot change`);
        }
        const expected = expectedVersion(ifMatch, existing.version, false) ?? existing.version;
        const { kind: _kind, ...changes } = input;
        return { ...(await this.applyUpdate(existing, expected, changes)), created: false };
      }
      try {
        const title = await this.insertWithSlug({ ...input, externalId });
        return { title: toTitleView(title), etag: etagFor(title.version), created: true };
      } catch (error) {
        // Lost a race with a concurrent upsert of the same externalId: update instead.
        if (!(error instanceof ApiError && error.code === 'external_id_taken')) throw error;
      }
    }
    throw new ApiError('conflict', 'Concurrent upserts of this externalId; retry');
  }

  async remove(ref: string, ifMatch: string | undefined): Promise<void> {
    const current = await this.resolve(ref);
    const expected = expectedVersion(ifMatch, current.version, false);
    if (!(await this.titles.delete(current.id, expected))) {
      throw new ApiError('precondition_failed', 'The title changed while deleting; reload and retry');
    }
    await this.changed();
    await this.audit.record({
      action: 'title.delete',
      targetType: 'title',
      targetId: current.id,
      before: toTitleView(current),
    });
  }

  /** Finds a title by id or slug; hides drafts and archived titles from viewers. */
  async resolve(ref: string, principal?: Principal): Promise<TitleEntity> {
    const title = isUuid(ref) ? await this.titles.findById(ref) : await this.titles.findBySlug(ref);
    if (!title || (principal && !canSeeDrafts(principal.role) && title.status !== 'published')) {
      throw ApiError.notFound('Title');
    }
    return title;
  }

  async detail(title: TitleEntity): Promise<Tagged<TitleDetailView>> {
    const seasons = title.kind === 'series' ? await this.seasons.listForTitle(title.id) : [];
    return { title: toTitleDetailView(title, seasons), etag: etagFor(title.version) };
  }

  private async applyUpdate(current: TitleEntity, expected: number, input: UpdateTitle): Promise<Tagged<TitleView>> {
    // Only what really differs: re-sending the same data leaves the version (ETag) alone.
    const changes = Object.fromEntries(
      Object.entries(input).filter(([key, value]) => !isDeepStrictEqual(current[key as keyof TitleEntity], value)),
    ) as Partial<TitleEntity>;
    if (input.status === 'published' && !current.publishedAt) changes.publishedAt = this.clock.now();
    if (Object.keys(changes).length === 0) return { title: toTitleView(current), etag: etagFor(current.version) };
    const before = toTitleView(current);
    try {
      if (!(await this.titles.updateIfVersion(current.id, expected, changes))) {
        throw new ApiError('precondition_failed', 'The title changed since you read it; reload and retry');
      }
    } catch (error) {
      throw this.translateUnique(error);
    }
    await this.changed();
    const updated = await this.titles.findById(current.id);
    if (!updated) throw ApiError.notFound('Title');
    const view = toTitleView(updated);
    await this.audit.record({
      action: 'title.update',
      targetType: 'title',
      targetId: current.id,
      before,
      after: view,
    });
    return { title: view, etag: etagFor(updated.version) };
  }

  private async insertWithSlug(input: CreateTitle): Promise<TitleEntity> {
    const values: Partial<TitleEntity> = {
      ...input,
      publishedAt: input.status === 'published' ? this.clock.now() : null,
    };
    for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt += 1) {
      const slug = input.slug ?? (await this.freeSlug(slugify(input.name)));
      let title: TitleEntity;
      try {
        title = await this.titles.insert({ ...values, slug });
      } catch (error) {
        const translated = this.translateUnique(error);
        // A generated slug taken in between: pick the next one. A chosen one: report it.
        if (translated instanceof ApiError && translated.code === 'slug_taken' && !input.slug) continue;
        throw translated;
      }
      await this.changed();
      await this.audit.record({
        action: 'title.create',
        targetType: 'title',
        targetId: title.id,
        after: toTitleView(title),
      });
      return title;
    }
    throw new ApiError('conflict', 'Could not allocate a unique slug; retry');
  }

  private async freeSlug(base: string): Promise<string> {
    const taken = new Set(await this.titles.slugsLike(base));
    if (!taken.has(base)) return base;
    let n = 2;
    while (taken.has(`${base}-${n}`)) n += 1;
    return `${base}-${n}`;
  }

  private translateUnique(error: unknown): unknown {
    if (!isUniqueViolation(error)) return error;
    const column = violatedColumn(error);
    if (column === 'slug') return new ApiError('slug_taken');
    if (column === 'external_id') return new ApiError('external_id_taken');
    return new ApiError('conflict', 'Conflicts with an existing record');
  }
}

/** A TitleList from titles the database rendered as JSON: the response is assembled, never re-serialized. */
function titleList(items: readonly string[], nextCursor: string | null): JsonText<TitleList> {
  return new JsonText(`{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`);
}

function visibilityClass(principal: Principal): 'all' | 'published' {
  return canSeeDrafts(principal.role) ? 'all' : 'published';
}

/** JSON with sorted keys: one cache key per query, however its parameters were ordered. */
function stableJson(value: Record<string, unknown>): string {
  const keys = Object.keys(value).sort();
  let json = '{';
  for (const key of keys) {
    if (value[key] === undefined) continue;
    json += `${json.length > 1 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value[key])}`;
  }
  return `${json}}`;
}
