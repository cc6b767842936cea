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
