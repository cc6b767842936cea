// A Pinia with fake store dependencies, as plugins/api.ts provides the real ones.
import type { AleflixClient } from '@aleflix/sdk';
import { createPinia, setActivePinia } from 'pinia';
import { vi } from 'vitest';
import { createApp, markRaw } from 'vue';
import type { StoreDeps } from '~/stores/deps';
import type { ProgressBackend } from '~/utils/progress';
import { createLocalProgressBackend } from '~/utils/progress-local';
import { memoryStorage } from './fixtures';

export function piniaWith(
  overrides: { api?: Partial<AleflixClient>; progress?: (userId: string) => ProgressBackend } = {},
) {
  const storage = memoryStorage();
  const tokens = { save: vi.fn(), clear: vi.fn() };
  const deps: StoreDeps = {
    api: (overrides.api ?? {}) as AleflixClient,
    tokens,
    progressFor: overrides.progress ?? ((userId) => createLocalProgressBackend({ storage, userId })),
  };
  const pinia = createPinia();
  pinia.use(() => ({ $deps: markRaw(deps) }));
  // Pinia applies plugins once it is installed in an app (as @pinia/nuxt does).
  createApp({}).use(pinia);
  setActivePinia(pinia);
  return { pinia, deps, tokens, storage };
}
