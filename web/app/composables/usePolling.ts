import { onBeforeUnmount, onMounted } from 'vue';
import { createPoller } from '~/utils/poller';

/** Runs `run` every `intervalMs` in the browser while `shouldContinue()`; `kick()` restarts it. */
export function usePolling(run: () => Promise<void>, intervalMs: number, shouldContinue: () => boolean) {
  const poller = createPoller({ run, intervalMs, shouldContinue });
  onMounted(() => poller.start());
  onBeforeUnmount(() => poller.stop());
  return {
    kick: () => {
      poller.stop();
      poller.start();
    },
    stop: () => poller.stop(),
  };
}
