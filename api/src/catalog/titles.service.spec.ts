import { describe, expect, it } from 'vitest';
import { QueryFailedError } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import type { Role } from '../common/roles.js';
import type { SeasonsRepository } from './seasons.repository.js';
import type { TitleEntity } from './title.entity.js';
import type { TitlePageRequest, TitlePageRow, TitlesRepository } from './titles.repository.js';
import { TitlesService } from './titles.service.js';
import { RecordingAudit } from '../../test/fake-audit.js';

function principal(role: Role): Principal {
  return { userId: 'u', email: 'u@x', role, via: 'token' };
}

function uniqueViolation(column: string): QueryFailedError {
  return new QueryFailedError(
    'INSERT',
    [],
    Object.assign(new Error('duplicate'), { code: '23505', detail: `Key (${column})=(x) already exists.` }),
  );
}

/** An in-memory stand-in for the repository: just enough behaviour for the rules. */
class FakeTitles {
  rows = new Map<string, TitleEntity>();
  pages: TitlePageRequest[] = [];
  private seq = 0;

  async findById(id: string) {
    return this.rows.get(id) ?? null;
  }
  async findBySlug(slug: string) {
    return [...this.rows.values()].find((row) => row.slug === slug) ?? null;
  }
  async findByExternalId(externalId: string) {
    return [...this.rows.values()].find((row) => row.externalId === externalId) ?? null;
  }
  async slugsLike(base: string) {
    return [...this.rows.values()]
      .map((row) => row.slug)
      .filter((slug) => slug === base || slug.startsWith(`${base}-`));
  }
  async insert(values: Partial<TitleEntity>) {
    for (const row of this.rows.values()) {
      if (row.slug === values.slug) throw uniqueViolation('slug');
      if (values.externalId && row.externalId === values.externalId) throw uniqueViolation('external_id');
    }
    const id = `00000000-0000-4000-8000-${String(++this.seq).padStart(12, '0')}`;
    const now = new Date();
    const row = {
      id,
      version: 1,
      createdAt: now,
      updatedAt: now,
      genres: [],
      tags: [],
      metadata: {},
      synopsis: '',
      ...values,
    } as TitleEntity;
    this.rows.set(id, row);
    return row;
  }
  async updateIfVersion(id: string, expected: number, changes: Partial<TitleEntity>) {
    const row = this.rows.get(id);
    if (!row || row.version !== expected) return false;
    Object.assign(row, changes, { version: row.version + 1 });
    return true;
  }
  async page(request: TitlePageRequest): Promise<TitlePageRow[]> {
    this.pages.push(request);
    return [];
  }
}

function setup() {
  const titles = new FakeTitles();
  const seasons = { listForTitle: async () => [] } as unknown as SeasonsRepository;
  const audit = new RecordingAudit();
  const service = new TitlesService(titles as unknown as TitlesRepository, seasons, new Clock(), audit.asService());
  return { titles, service, audit };
}

describe('TitlesService', () => {
  it('numbers generated slugs and reports a chosen slug that is taken', async () => {
    const { service } = setup();
    expect((await service.create({ kind: 'movie', name: 'Alien' })).title.slug).toBe('alien');
    expect((await service.create({ kind: 'movie', name: 'Alien' })).title.slug).toBe('alien-2');
    expect((await service.create({ kind: 'movie', name: 'ALIEN!' })).title.slug).toBe('alien-3');
    await expect(service.create({ kind: 'movie', name: 'X', slug: 'alien' })).rejects.toMatchObject({
      code: 'slug_taken',
    });
  });

  it('hides unpublished titles from viewers but not from editors', async () => {
    const { service } = setup();
    const { title } = await service.create({ kind: 'movie', name: 'Draft' });
    await expect(service.get(principal('viewer'), title.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.get(principal('editor'), title.slug)).resolves.toMatchObject({ etag: '"v1"' });
  });

  it('forces viewers onto published titles in listings', async () => {
    const { service, titles } = setup();
    await service.list(principal('viewer'), { limit: 20 });
    await service.list(principal('admin'), { limit: 20 });
    expect(titles.pages.map((page) => page.filter.statuses)).toEqual([['published'], undefined]);
    const drafts = await service.list(principal('viewer'), { limit: 20, status: 'draft' });
    expect(drafts.parse()).toEqual({ items: [], nextCursor: null });
    expect(titles.pages).toHaveLength(2);
  });

  it('sorts by relevance by default when searching', async () => {
    const { service, titles } = setup();
    await service.list(principal('viewer'), { limit: 5, q: ' lisboa ' });
    expect(titles.pages[0]).toMatchObject({ sort: 'relevance', filter: { q: 'lisboa' } });
  });

  it('leaves the version alone when an update changes nothing', async () => {
    const { service } = setup();
    const { title } = await service.create({ kind: 'movie', name: 'Same', year: 2000 });
    const result = await service.update(title.id, '"v1"', { name: 'Same', year: 2000 });
    expect(result.etag).toBe('"v1"');
    expect((await service.update(title.id, '"v1"', { year: 2001 })).etag).toBe('"v2"');
  });

  it('audits creations and real changes with before and after, and not a no-op update', async () => {
    const { service, audit } = setup();
    const { title } = await service.create({ kind: 'movie', name: 'Audited', year: 2000 });
    await service.update(title.id, '"v1"', { name: 'Audited', year: 2000 });
    await service.update(title.id, '"v1"', { year: 2001 });
    await expect(service.update(title.id, '"v1"', { year: 2002 })).rejects.toThrow(ApiError);
    expect(audit.changes.map((c) => c.action)).toEqual(['title.create', 'title.update']);
    expect(audit.changes[1]).toMatchObject({
      targetType: 'title',
      targetId: title.id,
      before: { year: 2000 },
      after: { year: 2001 },
    });
  });

  it('stamps publishedAt once, on the first publication', async () => {
    const { service } = setup();
    const { title } = await service.create({ kind: 'movie', name: 'Pub' });
    const first = await service.update(title.id, '"v1"', { status: 'published' });
    const archived = await service.update(title.id, first.etag, { status: 'archived' });
    const again = await service.update(title.id, archived.etag, { status: 'published' });
    expect(again.title.publishedAt).toBe(first.title.publishedAt);
  });

  it('upserts by externalId and refuses to change the kind', async () => {
    const { service } = setup();
    const created = await service.upsertByExternalId('e1', undefined, { kind: 'series', name: 'S' });
    const same = await service.upsertByExternalId('e1', undefined, { kind: 'series', name: 'S' });
    expect([created.created, same.created, same.title.id]).toEqual([true, false, created.title.id]);
    await expect(service.upsertByExternalId('e1', undefined, { kind: 'movie', name: 'S' })).rejects.toBeInstanceOf(
      ApiError,
    );
  });
});
