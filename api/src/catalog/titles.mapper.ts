import type { EpisodeEntity } from './episode.entity.js';
import type { SeasonEntity } from './season.entity.js';
import type { TitleEntity } from './title.entity.js';
import type { TitleDetailView, TitleView } from './titles.dto.js';

export function toTitleView(title: TitleEntity): TitleView {
  return {
    id: title.id,
    slug: title.slug,
    kind: title.kind,
    name: title.name,
    synopsis: title.synopsis,
    year: title.year,
    genres: title.genres,
    tags: title.tags,
    maturityRating: title.maturityRating,
    originalLanguage: title.originalLanguage,
    status: title.status,
    externalId: title.externalId,
    posterRef: title.posterRef,
    backdropRef: title.backdropRef,
    metadata: title.metadata,
    version: title.version,
    publishedAt: title.publishedAt?.toISOString() ?? null,
    createdAt: title.createdAt.toISOString(),
    updatedAt: title.updatedAt.toISOString(),
  };
}

/** A titles row with its timestamps already as ISO text (see TitlesRepository.page). */
export interface TitleViewRow {
  id: string;
  slug: string;
  kind: TitleView['kind'];
  name: string;
  synopsis: string;
  year: number | null;
  genres: string[];
  tags: string[];
  maturity_rating: string | null;
  original_language: string | null;
  status: TitleView['status'];
  external_id: string | null;
  poster_ref: string | null;
  backdrop_ref: string | null;
  metadata: Record<string, unknown>;
  version: number;
  published_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The same view as toTitleView, from a row instead of an entity. */
export function toTitleViewFromRow(row: TitleViewRow): TitleView {
  return {
    id: row.id,
    slug: row.slug,
    kind: row.kind,
    name: row.name,
    synopsis: row.synopsis,
    year: row.year,
    genres: row.genres,
    tags: row.tags,
    maturityRating: row.maturity_rating,
    originalLanguage: row.original_language,
    status: row.status,
    externalId: row.external_id,
    posterRef: row.poster_ref,
    backdropRef: row.backdrop_ref,
    metadata: row.metadata,
    version: row.version,
    publishedAt: row.published_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toTitleDetailView(title: TitleEntity, seasons: SeasonEntity[]): TitleDetailView {
  return {
    ...toTitleView(title),
    seasons: seasons.map((season) => ({
      id: season.id,
      number: season.number,
      name: season.name,
      synopsis: season.synopsis,
      episodes: (season.episodes ?? []).map(toEpisodeView),
    })),
  };
}

function toEpisodeView(episode: EpisodeEntity) {
  return {
    id: episode.id,
    number: episode.number,
    name: episode.name,
    synopsis: episode.synopsis,
    externalId: episode.externalId,
  };
}
