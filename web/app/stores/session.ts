// The signed-in user and the access token. The access token lives here (memory, and the SSR
// payload); only the refresh token is persisted, in a SameSite=Lax cookie (TokenStore).
import type { Role, TokenPair, User } from '@aleflix/sdk';
import { defineStore } from 'pinia';
import { loginFailure, type LoginFailure } from '../utils/errors';
import './deps';

export type LoginResult = { ok: true } | { ok: false; reason: LoginFailure };

export const useSessionStore = defineStore('session', {
  state: () => ({
    user: null as User | null,
    accessToken: null as string | null,
  }),
  getters: {
    signedIn: (state): boolean => state.user !== null,
    role: (state): Role | null => state.user?.role ?? null,
    /** Editors and admins also see drafts and media still processing. */
    canSeeDrafts: (state): boolean => state.user?.role === 'editor' || state.user?.role === 'admin',
  },
  actions: {
    /** A new token pair (sign-in or refresh): keep the access token, persist the refresh token. */
    adopt(pair: TokenPair) {
      this.accessToken = pair.accessToken;
      this.user = pair.user;
      this.$deps.tokens.save(pair);
    },
    async login(email: string, password: string): Promise<LoginResult> {
      try {
        this.adopt(await this.$deps.api.auth.login({ email: email.trim(), password }));
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: loginFailure(error) };
      }
    },
    /** Ends the session at the API (best effort) and forgets it here in any case. */
    async logout() {
      try {
        await this.$deps.api.auth.logout();
      } catch {
        // Already gone at the API (expired, revoked) or unreachable: forgetting it is enough.
      } finally {
        this.clear();
      }
    },
    clear() {
      this.user = null;
      this.accessToken = null;
      this.$deps.tokens.clear();
    },
  },
});
