import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/src/**/*.test.ts', 'test/**/*.test.ts', 'smp-action/**/*.test.ts', 'smi-conformance-action/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Rate and stall tests measure time: files run one at a time so a busy 2-core machine does not skew them.
    fileParallelism: false,
    pool: 'forks',
    // The default report (with annotations on GitHub, which setting reporters would otherwise drop),
    // then every skipped test with its reason (test/support/requires.mjs).
    reporters: ['default', ...(process.env.GITHUB_ACTIONS ? ['github-actions'] : []), './test/support/skip-reasons.mjs'],
  },
});
