import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { SERIAL_TESTS, START_FIRST, TEST_FILE_GLOBS } from './test/serial-tests.js';

const serial = Object.keys(SERIAL_TESTS);

/**
 * vitest's order (by project, then the slowest first when it has timings from an earlier run, which
 * a fresh CI machine has not), with the longest files of the parallel project moved to the front:
 * started last, they would leave one worker idle while they finish.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const i = START_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId));
      return i === -1 ? START_FIRST.length : i;
    };
    // A stable sort: the projects' groups and everything not listed keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    sequence: { sequencer: LongestFirst },
    // The default report (with annotations on GitHub, which setting reporters would otherwise drop),
    // then every skipped test with its reason (test/support/requires.mjs).
    reporters: ['default', ...(process.env.GITHUB_ACTIONS ? ['github-actions'] : []), './test/support/skip-reasons.mjs'],
    // Two phases in one run. Tests that measure time (rates, latency percentiles, stall detection,
    // timeouts, the fake cluster's Jobs, the sidecar delay) are listed, each with its reason, in
    // test/serial-tests.ts: a neighbour on the other core of a 2-core machine skews them, so they run
    // one at a time and alone, after the rest. Everything else runs two files at a time (CI has 2
    // cores). vitest runs the projects' groups (sequence.groupOrder) one after the other, never side
    // by side. `include` is set per project only: a project that extends this config would append
    // its own list to a top-level one.
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: TEST_FILE_GLOBS,
          exclude: ['**/node_modules/**', '**/dist/**', ...serial],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: serial,
          exclude: ['**/node_modules/**', '**/dist/**'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
