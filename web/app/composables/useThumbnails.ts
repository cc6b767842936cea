import { ref, watch, type Ref } from 'vue';
import { parseThumbnailVtt, type ThumbnailCue } from '~/utils/vtt';

/**
 * The seek-preview tiles of a video: fetched from its signed thumbnails.vtt URL (a media file
 * like the HLS segments, served with CORS, not an API call). No previews when it fails.
 */
export function useThumbnails(
  url: Ref<string | null | undefined>,
  fetcher: (url: string) => Promise<Response> = (input) => fetch(input),
): Ref<ThumbnailCue[]> {
  const cues = ref<ThumbnailCue[]>([]);
  let generation = 0;
  watch(
    url,
    async (current) => {
      const mine = ++generation;
      cues.value = [];
      if (!current) return;
      try {
        const response = await fetcher(current);
        if (!response.ok) return;
        const parsed = parseThumbnailVtt(await response.text(), current);
        if (mine === generation) cues.value = parsed;
      } catch {
        // previews are optional
      }
    },
    { immediate: true },
  );
  return cues;
}
