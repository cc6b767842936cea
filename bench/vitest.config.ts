import { defineConfig } from 'vitest/config';

// Only the pure parts of the harness are tested here: no network, no timing assertions.
// The benchmarks themselves run with `npm run bench`, never under vitest.
export default defineConfig({
  test: {
    name: 'bench',
    environment: 'node',
    include: ['lib/**/*.test.mjs', 'web/**/*.test.mjs', 'load/**/*.test.mjs'],
  },
});
