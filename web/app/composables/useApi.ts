import type { AleflixClient } from '@aleflix/sdk';
import type { MediaApi } from '~/utils/media-api';

/** The SDK client of this page (server render or browser) and the media calls built on it. */
export function useApi(): { api: AleflixClient; media: MediaApi } {
  const nuxtApp = useNuxtApp();
  return { api: nuxtApp.$api, media: nuxtApp.$media };
}
