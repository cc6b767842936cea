import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sdk',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 10_000,
    // The end-to-end test may build the API and installs the packed SDK: allow it a minute.
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
