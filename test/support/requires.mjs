// One way for a test to say "this needs X" (Node 24, nginx, wrk, chromium: what only .ci/run
// installs). Without X the test is reported by vitest as skipped, with the reason, and never counted
// as passed. Under MESHSPEC_REQUIRE_ALL=1 (set by .ci/run) a missing prerequisite fails the test
// instead: CI must run everything.

/**
 * Call first thing in a test body: `it('…', async (ctx) => { requires(ctx, node.skipReason); … })`.
 * @param {{ skip: (note?: string) => never }} ctx the vitest test context
 * @param {string | undefined} missing why the prerequisite is absent and how to get it; undefined when present
 */
export function requires(ctx, missing) {
  if (!missing) return;
  if (process.env.MESHSPEC_REQUIRE_ALL === '1') throw new Error(`required but unavailable (MESHSPEC_REQUIRE_ALL=1): ${missing}`);
  ctx.skip(`requires ${missing}`);
}
