import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    // Real files and real parsers; some fixture workspaces stream several files.
    testTimeout: 30_000,
  },
});
