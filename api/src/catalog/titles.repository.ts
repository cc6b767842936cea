import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type Repository, type SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
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
  title: TitleEntity;
  /** The sort key of this row as text, for the next cursor. */
  key: string;
}

// Any of the three text-search configurations may match; accents are folded first.
const TS_QUERY = `(websearch_to_tsquery('simple', public.aleflix_unaccent(:q))
  || websearch_to_tsquery('english', public.aleflix_unaccent(:q))
  || websearch_to_tsquery('portuguese', public.aleflix_unaccent(:q)))`;
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
  constructor(private readonly dataSource: DataSource) {}

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

  async page(request: TitlePageRequest): Promise<TitlePageRow[]> {
    const query = this.repo().createQueryBuilder('t');
    applyFilter(query, request.filter);
    if (request.sort === 'relevance') {
      const rank = request.filter.q ? `ts_rank(${DOCUMENT}, ${TS_QUERY})` : '0';
      query.addSelect(`(${rank})::text`, 'sort_key').orderBy(rank, 'DESC').addOrderBy('t.id', 'ASC');
      query.offset(request.after?.kind === 'offset' ? request.after.offset : 0);
    } else {
      const { expression, type, direction } = SORT_KEYS[request.sort];
      query.addSelect(`(${expression})::text`, 'sort_key').orderBy(expression, direction).addOrderBy('t.id', direction);
      if (request.after?.kind === 'keyset') {
        const op = direction === 'ASC' ? '>' : '<';
        query.andWhere(`(${expression}, t.id) ${op} (CAST(:afterKey AS ${type}), CAST(:afterId AS uuid))`, {
          afterKey: request.after.key,
          afterId: request.after.id,
        });
      }
    }
    query.limit(request.limit + 1);
    const { entities, raw } = await query.getRawAndEntities<{ sort_key: string }>();
    return entities.map((title, index) => ({ title, key: raw[index]?.sort_key ?? '' }));
  }
}

function applyFilter(query: SelectQueryBuilder<TitleEntity>, filter: TitleFilter): void {
  if (filter.statuses) query.andWhere('t.status IN (:...statuses)', { statuses: filter.statuses });
  if (filter.kind) query.andWhere('t.kind = :kind', { kind: filter.kind });
  if (filter.genre) query.andWhere(':genre = ANY(t.genres)', { genre: filter.genre });
  if (filter.year !== undefined) query.andWhere('t.year = :year', { year: filter.year });
  if (filter.q) {
    // Full-text match, or a plain substring of the folded name so partial words still find
    // titles while someone is typing ("matr" -> "The Matrix").
    const pattern = `%${foldForSearch(filter.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query.andWhere(`(${DOCUMENT} @@ ${TS_QUERY} OR lower(public.aleflix_unaccent(t.name)) LIKE :pattern)`, {
      q: filter.q,
      pattern,
    });
  }
}
