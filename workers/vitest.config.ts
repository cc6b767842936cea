import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'workers',
    environment: 'node',
    include: ['src/**/*.spec.ts', 'test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
