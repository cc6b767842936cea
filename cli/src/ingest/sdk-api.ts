// The ingest pipeline's API calls, made with the SDK.
import { AleflixApiError, type AleflixClient, type UpsertTitle } from '@aleflix/sdk';
import type { IngestApi } from './pipeline.js';

export function sdkIngestApi(client: AleflixClient): IngestApi {
  return {
    upsertTitle: async (target, signal) => {
      const body: UpsertTitle = {
        kind: target.kind,
        name: target.name,
        ...(target.synopsis !== undefined ? { synopsis: target.synopsis } : {}),
        ...(target.year !== undefined ? { year: target.year } : {}),
        ...(target.genres ? { genres: target.genres } : {}),
        ...(target.posterRef ? { posterRef: target.posterRef } : {}),
      };
      const { data, created } = await client.titles.upsertByExternalId(
        target.externalId,
        body,
        signal ? { signal } : {},
      );
      return { id: data.id, created };
    },
    upsertEpisode: async (titleId, episode, signal) => {
      const { data } = await client.episodes.upsert(
        titleId,
        episode.season,
        episode.number,
        {
          name: episode.name,
          ...(episode.synopsis !== undefined ? { synopsis: episode.synopsis } : {}),
          ...(episode.externalId !== undefined ? { externalId: episode.externalId } : {}),
        },
        signal ? { signal } : {},
      );
      const found = data.seasons
        .find((season) => season.number === episode.season)
        ?.episodes.find((item) => item.number === episode.number);
      if (!found) throw new Error(`the API did not return S${episode.season}E${episode.number} after creating it`);
      return found.id;
    },
    upload: (path, options) => client.uploads.upload(path, options),
    attach: (assetId, attachment, signal) => client.assets.attach(assetId, attachment, signal ? { signal } : {}),
    getAsset: (assetId, signal) => client.assets.get(assetId, signal ? { signal } : {}),
    transcodeEvents: (assetId, signal) => client.events.subscribe({ assetId }, { signal }),
    publish: async (titleId, signal) => {
      // Two tries: someone may change the title between our read and our write (412).
      for (let attempt = 1; ; attempt++) {
        const { data, etag } = await client.titles.get(titleId, signal ? { signal } : {});
        if (data.status === 'published') return 'already';
        try {
          await client.titles.update(
            titleId,
            { status: 'published' },
            { ifMatch: etag, ...(signal ? { signal } : {}) },
          );
          return 'published';
        } catch (error) {
          if (attempt >= 2 || !(error instanceof AleflixApiError && error.code === 'precondition_failed')) throw error;
        }
      }
    },
  };
}
