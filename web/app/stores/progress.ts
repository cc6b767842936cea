// Watch progress of the signed-in user: what to resume, and the continue-watching row.
// Storage is a ProgressBackend (localStorage now, the API once it has /me/progress).
import { defineStore } from 'pinia';
import { isFinished, type ProgressBackend, type ProgressInput, type WatchProgress } from '../utils/progress';
import './deps';
import { useSessionStore } from './session';

export const CONTINUE_WATCHING_LIMIT = 12;

export const useProgressStore = defineStore('progress', {
  state: () => ({
    byMedia: {} as Record<string, WatchProgress>,
    continueWatching: [] as WatchProgress[],
    /** The continue-watching list was loaded for this user. */
    listLoaded: false,
    listLoading: false,
  }),
  actions: {
    backend(): ProgressBackend | null {
      // Pinia makes this store's pinia the active one when an action starts.
      const user = useSessionStore().user;
      return user ? this.$deps.progressFor(user.id) : null;
    },
    async load(mediaId: string): Promise<WatchProgress | null> {
      const backend = this.backend();
      if (!backend) return null;
      try {
        const progress = await backend.get(mediaId);
        if (progress) this.byMedia[mediaId] = progress;
        return progress;
      } catch {
        return this.byMedia[mediaId] ?? null;
      }
    },
    /** Records a position: here at once, in the backend as well (failures are not fatal). */
    async save(input: ProgressInput): Promise<void> {
      const backend = this.backend();
      if (!backend) return;
      const optimistic: WatchProgress = {
        ...input,
        titleId: input.title.id,
        episodeId: input.episode?.id ?? null,
        completed: isFinished(input.positionSeconds, input.durationSeconds),
        updatedAt: new Date().toISOString(),
      };
      this.remember(optimistic);
      try {
        this.remember(await backend.put(input));
      } catch {
        // Offline or the API refused: the next save (every ~10 s) tries again.
      }
    },
    async loadContinueWatching(limit = CONTINUE_WATCHING_LIMIT): Promise<void> {
      const backend = this.backend();
      if (!backend || backend.kind === 'none') return;
      this.listLoading = true;
      try {
        this.continueWatching = await backend.continueWatching(limit);
        for (const entry of this.continueWatching) this.byMedia[entry.mediaId] = entry;
        this.listLoaded = true;
      } catch {
        this.listLoaded = true;
      } finally {
        this.listLoading = false;
      }
    },
    async forget(mediaId: string): Promise<void> {
      delete this.byMedia[mediaId];
      this.continueWatching = this.continueWatching.filter((entry) => entry.mediaId !== mediaId);
      try {
        await this.backend()?.remove(mediaId);
      } catch {
        // best effort
      }
    },
    remember(entry: WatchProgress) {
      this.byMedia[entry.mediaId] = entry;
      const others = this.continueWatching.filter((item) => item.mediaId !== entry.mediaId);
      this.continueWatching = entry.completed ? others : [entry, ...others].slice(0, CONTINUE_WATCHING_LIMIT);
    },
  },
});
