import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'cli',
    environment: 'node',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 10_000,
    // The end-to-end suite may build the API, CLI and SDK and starts the API: allow it time.
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
