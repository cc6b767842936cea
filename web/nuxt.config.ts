import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';

// The SDK is bundled from its TypeScript sources, so building the viewer does not depend on
// `npm run build -w @aleflix/sdk` having run first (a clean clone builds in one step).
const sdkSource = fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url));

export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  ssr: true,
  telemetry: false,
  devtools: { enabled: false },
  // Ship gzip and brotli copies of the built assets; the server picks one by Accept-Encoding.
  nitro: { compressPublicAssets: true },
  modules: ['@pinia/nuxt', '@nuxtjs/i18n'],
  css: ['~/assets/css/main.css'],
  alias: { '@aleflix/sdk': sdkSource },
  vite: {
    plugins: [tailwindcss()],
    // hls.js (~570 kB) is its own chunk, loaded only by the watch page.
    build: { chunkSizeWarningLimit: 700 },
  },
  app: {
    head: {
      meta: [
        { name: 'viewport', content: 'width=device-width, initial-scale=1' },
        { name: 'theme-color', content: '#0b0b10' },
      ],
      link: [{ rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }],
    },
  },
  runtimeConfig: {
    public: {
      /** NUXT_PUBLIC_API_BASE: where the AleFlix API is, as seen from this server. */
      apiBase: 'http://localhost:3000',
      /**
       * NUXT_PUBLIC_API_PROXY: the browser reaches the API through this server's /api/ route
       * (same origin: no CORS needed, which the API does not send today). Set to false to let
       * the browser call apiBase directly once the API allows this site's origin.
       */
      apiProxy: true,
      /**
       * NUXT_PUBLIC_PROGRESS_BACKEND: where watch progress is kept. 'auto' uses the API's
       * /me/progress endpoints when the API has them and localStorage otherwise; 'api' or
       * 'local' force one.
       */
      progressBackend: 'auto',
    },
  },
  i18n: {
    defaultLocale: 'pt-BR',
    strategy: 'no_prefix',
    // Portuguese unless the viewer picked another language (kept in the aleflix_lang cookie
    // by plugins/locale.ts); the browser's Accept-Language is deliberately not used.
    detectBrowserLanguage: false,
    locales: [
      { code: 'pt-BR', language: 'pt-BR', name: 'Português (Brasil)', file: 'pt-BR.json' },
      { code: 'en', language: 'en', name: 'English', file: 'en.json' },
    ],
    // The app only calls t() (no <i18n-t>, <i18n-n>, <i18n-d> or v-t): leave those out of the bundle.
    bundle: { fullInstall: false },
  },
  typescript: {
    strict: true,
    tsConfig: { compilerOptions: { noUncheckedIndexedAccess: true } },
  },
});
