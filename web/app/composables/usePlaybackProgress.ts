import { onBeforeUnmount, onMounted } from 'vue';
import { useProgressStore } from '~/stores/progress';
import type { ProgressEpisode, ProgressTitle } from '~/utils/progress';
import { createProgressTracker } from '~/utils/progress-tracker';

/**
 * Saves the playback position of `mediaId` every ~10 s while playing, on pause and end, when
 * the page is hidden or left (pagehide, visibilitychange) and when the player unmounts.
 */
export function usePlaybackProgress(
  mediaId: string,
  describe: () => { title: ProgressTitle; episode: ProgressEpisode | null } | null,
) {
  const store = useProgressStore();
  const tracker = createProgressTracker({
    save: async (positionSeconds, durationSeconds) => {
      const subject = describe();
      if (!subject) return;
      await store.save({ mediaId, positionSeconds, durationSeconds, ...subject });
    },
  });
  const onHidden = () => {
    if (document.visibilityState === 'hidden') tracker.flush();
  };
  const onPageHide = () => tracker.flush();
  onMounted(() => {
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', onPageHide);
  });
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onHidden);
    window.removeEventListener('pagehide', onPageHide);
    tracker.flush();
  });
  return tracker;
}
