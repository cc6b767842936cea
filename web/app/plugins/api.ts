// The SDK client of this page (server render or browser), and the store dependencies.
// Session: the refresh token is kept in a SameSite=Lax cookie (a browser script has to write
// it, so it cannot be httpOnly); the access token only in memory and the SSR payload. Each
// server render exchanges the cookie's refresh token once (shared/refresh.ts) and hands the
// access token to the browser in the payload.
import { AleflixApiError, createClient, type AleflixClient } from '@aleflix/sdk';
import { markRaw } from 'vue';
import { refreshOnce } from '#shared/refresh';
import { processSingleFlight } from '#shared/single-flight';
import type { StoreDeps } from '~/stores/deps';
import { useSessionStore } from '~/stores/session';
import { createBrowserFetch } from '~/utils/browser-fetch';
import { readCookie, SESSION_COOKIE, SESSION_COOKIE_MAX_AGE } from '~/utils/cookies';
import { mediaApi } from '~/utils/media-api';
import { noProgressBackend, type ProgressBackend } from '~/utils/progress';
import { createApiProgressBackend, probeProgressApi } from '~/utils/progress-api';
import { createLocalProgressBackend } from '~/utils/progress-local';

export default defineNuxtPlugin({
  name: 'aleflix:api',
  async setup(nuxtApp) {
    const config = useRuntimeConfig().public;
    const secure = useRequestURL().protocol === 'https:';
    const sessionCookie = useCookie<string | null>(SESSION_COOKIE, {
      sameSite: 'lax',
      path: '/',
      secure,
      maxAge: SESSION_COOKIE_MAX_AGE,
      default: () => null,
    });
    const progressApi = useState<boolean>('aleflix:progress-api', () => config.progressBackend === 'api');

    const deps = {
      tokens: {
        save: (pair) => {
          sessionCookie.value = pair.refreshToken;
        },
        clear: () => {
          sessionCookie.value = null;
        },
      },
    } as StoreDeps;
    const pinia = nuxtApp.$pinia as import('pinia').Pinia;
    pinia.use(() => ({ $deps: markRaw(deps) }));
    const session = useSessionStore(pinia);

    if (import.meta.server && sessionCookie.value && !session.accessToken) {
      try {
        session.adopt(await refreshOnce(config.apiBase, sessionCookie.value));
      } catch (error) {
        // A dead refresh token ends the session; an unreachable API leaves it for later.
        if (error instanceof AleflixApiError && error.status < 500) session.clear();
      }
    }

    const client: AleflixClient = createClient({
      baseUrl: import.meta.server || !config.apiProxy ? config.apiBase : `${window.location.origin}/api`,
      token: session.accessToken ?? undefined,
      // On the server the pair was just exchanged; renewing again belongs to the browser.
      refreshToken: import.meta.client ? (sessionCookie.value ?? undefined) : undefined,
      onTokens: (pair) => session.adopt(pair),
      fetch: import.meta.client
        ? createBrowserFetch(
            globalThis.fetch.bind(globalThis),
            () => readCookie(document.cookie, SESSION_COOKIE),
            () => {
              // The session ended elsewhere (signed out, password changed, token reused).
              session.clear();
              const here = nuxtApp.$router.currentRoute.value;
              if (here.path !== '/login') {
                void nuxtApp.$router.push({ path: '/login', query: { expired: '1', redirect: here.fullPath } });
              }
            },
          )
        : undefined,
      timeoutMs: 20_000,
    });
    deps.api = client;

    if (import.meta.server && config.progressBackend === 'auto' && session.signedIn) {
      progressApi.value = await processSingleFlight<boolean>('progress-probe', 60_000).run(config.apiBase, () =>
        probeProgressApi(client),
      );
    }

    const backends = new Map<string, ProgressBackend>();
    deps.progressFor = (userId) => {
      let backend = backends.get(userId);
      if (!backend) {
        if (config.progressBackend !== 'local' && progressApi.value) backend = createApiProgressBackend(client);
        else if (import.meta.client) backend = createLocalProgressBackend({ storage: window.localStorage, userId });
        else backend = noProgressBackend;
        backends.set(userId, backend);
      }
      return backend;
    };

    return { provide: { api: client, media: mediaApi(client) } };
  },
});
