import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Unit tests (test/unit) import the app's modules directly; the end-to-end test (test/e2e)
// drives the built site and API in Chromium. Same aliases as nuxt.config.ts.
export default defineConfig({
  resolve: {
    alias: {
      '@aleflix/sdk': here('../sdk/src/index.ts'),
      '#shared': here('./shared'),
      '~': here('./app'),
    },
  },
  test: {
    name: 'web',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 10_000,
    // The end-to-end test may build the API and the site, then starts both and transcodes a clip.
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
