import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { SqlReader } from '../database/sql-reader.js';
import { foldForSearch } from './slug.js';
import type { TitleSort } from './titles.dto.js';
import { TitleEntity, type TitleKind, type TitleStatus } from './title.entity.js';

export interface TitleFilter {
  /** Restricts to these statuses (viewers: published only). */
  statuses?: readonly TitleStatus[];
  kind?: TitleKind;
  genre?: string;
  year?: number;
  q?: string;
}

export type TitlePosition = { kind: 'keyset'; key: string; id: string } | { kind: 'offset'; offset: number };

export interface TitlePageRequest {
  filter: TitleFilter;
  sort: TitleSort;
  limit: number;
  after?: TitlePosition;
}

export interface TitlePageRow {
  /** The title as the API shows it (a TitleView), rendered as JSON by the database. */
  json: string;
  id: string;
  /** The sort key of this row as text, for the next cursor. */
  key: string;
}

/** A timestamp as JavaScript's toISOString() writes it (UTC, milliseconds, `Z`). */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A TitleView straight from SQL: columns named as the API names them, timestamps as the text
 * the API sends. A page renders each row as JSON in the database (row_to_json keeps this
 * order), so the API neither parses twenty columns per row nor serializes them back.
 */
const VIEW_COLUMNS = `t.id, t.slug, t.kind, t.name, t.synopsis, t.year, t.genres, t.tags,
  t.maturity_rating AS "maturityRating", t.original_language AS "originalLanguage", t.status,
  t.external_id AS "externalId", t.poster_ref AS "posterRef", t.backdrop_ref AS "backdropRef", t.metadata,
  t.version, ${iso('t.published_at')} AS "publishedAt", ${iso('t.created_at')} AS "createdAt",
  ${iso('t.updated_at')} AS "updatedAt"`;

// Any of the three text-search configurations may match; accents are folded first.
const DOCUMENT = 'public.aleflix_search_document(t.name, t.synopsis)';

const SORT_KEYS: Record<
  Exclude<TitleSort, 'relevance'>,
  { expression: string; type: string; direction: 'ASC' | 'DESC' }
> = {
  '-createdAt': { expression: 't.created_at', type: 'timestamptz', direction: 'DESC' },
  createdAt: { expression: 't.created_at', type: 'timestamptz', direction: 'ASC' },
  name: { expression: 'lower(public.aleflix_unaccent(t.name))', type: 'text', direction: 'ASC' },
  '-name': { expression: 'lower(public.aleflix_unaccent(t.name))', type: 'text', direction: 'DESC' },
  year: { expression: 'coalesce(t.year, 0)', type: 'int', direction: 'ASC' },
  '-year': { expression: 'coalesce(t.year, 0)', type: 'int', direction: 'DESC' },
};

@Injectable()
export class TitlesRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: SqlReader,
  ) {}

  private repo(manager?: EntityManager): Repository<TitleEntity> {
    return (manager ?? this.dataSource.manager).getRepository(TitleEntity);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  findById(id: string, manager?: EntityManager): Promise<TitleEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  findBySlug(slug: string): Promise<TitleEntity | null> {
    return this.repo().findOneBy({ slug });
  }

  findByExternalId(externalId: string, manager?: EntityManager): Promise<TitleEntity | null> {
    return this.repo(manager).findOneBy({ externalId });
  }

  /** Slugs equal to `base` or `base-<n>`, to pick the next free suffix. */
  async slugsLike(base: string, manager?: EntityManager): Promise<string[]> {
    const rows: Array<{ slug: string }> = await this.repo(manager)
      .createQueryBuilder('t')
      .select('t.slug', 'slug')
      .where('t.slug = :base OR t.slug ~ :pattern', { base, pattern: `^${base}-[0-9]+$` })
      .getRawMany();
    return rows.map((row) => row.slug);
  }

  insert(values: Partial<TitleEntity>, manager?: EntityManager): Promise<TitleEntity> {
    const repo = this.repo(manager);
    return repo.save(repo.create(values));
  }

  /**
   * Applies `changes` only if the row still has `expectedVersion` (optimistic locking);
   * TypeORM bumps the version column itself. Returns false when someone changed it first.
   */
  async updateIfVersion(
    id: string,
    expectedVersion: number,
    changes: Partial<TitleEntity>,
    manager?: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set(changes as QueryDeepPartialEntity<TitleEntity>)
      .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Marks a title changed when its seasons or episodes change, so its ETag changes too. */
  async touch(id: string, manager: EntityManager): Promise<void> {
    await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({ updatedAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const query = this.repo().createQueryBuilder().delete().where('id = :id', { id });
    if (expectedVersion !== undefined) query.andWhere('version = :expectedVersion', { expectedVersion });
    const result = await query.execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * One page of titles. Plain SQL rather than the query builder: this is the hottest read
   * of the API, and building and hydrating through TypeORM cost more than the query. The
   * view is a correlated subquery so that only the rows kept by LIMIT are rendered.
   */
  async page(request: TitlePageRequest): Promise<TitlePageRow[]> {
    const params: unknown[] = [];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const where = filterConditions(request.filter, bind);
    let sortKey: string;
    let orderBy: string;
    let offset = 0;
    if (request.sort === 'relevance') {
      sortKey = request.filter.q ? `ts_rank(${DOCUMENT}, ${tsQuery(bind(request.filter.q))})` : '0';
      orderBy = `${sortKey} DESC, t.id ASC`;
      offset = request.after?.kind === 'offset' ? request.after.offset : 0;
    } else {
      const { expression, type, direction } = SORT_KEYS[request.sort];
      sortKey = expression;
      orderBy = `${expression} ${direction}, t.id ${direction}`;
      if (request.after?.kind === 'keyset') {
        const op = direction === 'ASC' ? '>' : '<';
        where.push(
          `(${expression}, t.id) ${op} (CAST(${bind(request.after.key)} AS ${type}), CAST(${bind(request.after.id)} AS uuid))`,
        );
      }
    }
    return this.reader.rows<TitlePageRow>(
      'titles_page',
      `SELECT (SELECT row_to_json(v) FROM (SELECT ${VIEW_COLUMNS}) v)::text AS json, t.id, (${sortKey})::text AS key
        FROM titles t ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${orderBy} LIMIT ${bind(request.limit + 1)} OFFSET ${bind(offset)}`,
      params,
    );
  }
}

function tsQuery(q: string): string {
  return `(websearch_to_tsquery('simple', public.aleflix_unaccent(${q}))
    || websearch_to_tsquery('english', public.aleflix_unaccent(${q}))
    || websearch_to_tsquery('portuguese', public.aleflix_unaccent(${q})))`;
}

function filterConditions(filter: TitleFilter, bind: (value: unknown) => string): string[] {
  const where: string[] = [];
  if (filter.statuses) where.push(`t.status = ANY(${bind(filter.statuses)})`);
  if (filter.kind) where.push(`t.kind = ${bind(filter.kind)}`);
  if (filter.genre) where.push(`${bind(filter.genre)} = ANY(t.genres)`);
  if (filter.year !== undefined) where.push(`t.year = ${bind(filter.year)}`);
  if (filter.q) {
    // Full-text match, or a plain substring of the folded name so partial words still find
    // titles while someone is typing ("matr" -> "The Matrix").
    const pattern = `%${foldForSearch(filter.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      `(${DOCUMENT} @@ ${tsQuery(bind(filter.q))} OR lower(public.aleflix_unaccent(t.name)) LIKE ${bind(pattern)})`,
    );
  }
  return where;
}
