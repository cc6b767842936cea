import { defineConfig } from 'vitest/config';

// One test command for the whole repository: every workspace with tests is a project.
export default defineConfig({
  test: {
    projects: [
      'core/vitest.config.ts',
      'api/vitest.config.ts',
      'bench/vitest.config.ts',
      'sdk/vitest.config.ts',
      'workers/vitest.config.ts',
      'cli/vitest.config.ts',
      'web/vitest.config.ts',
    ],
  },
});
