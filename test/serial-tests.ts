/**
 * Which test files run alone, and why (vitest.config.ts reads this file).
 *
 * `npm test` runs in two phases, one vitest run: first the `parallel` project, every test file not
 * listed here, two at a time (the CI machine has 2 cores); then, once all of those have finished,
 * the `serial` project, the files listed in SERIAL_TESTS, one at a time with nothing beside them.
 * A file goes in SERIAL_TESTS when what it checks depends on how fast the machine is: achieved
 * rates, latencies and percentiles of a real load, stall and freeze detection, timeouts and
 * deadlines that must (or must not) fire by a bound, the fake cluster's Jobs and pod start times,
 * the simulated sidecar delay. A neighbour test on the other core skews those; on a 2-core machine
 * it can fail them.
 *
 * test/architecture/serial-tests.test.ts holds this to the code: a test file outside SERIAL_TESTS
 * that measures time (measuresTime below: it reads the clock for a duration, asserts a bound on a
 * measured duration or rate, runs a load generator, has a ± tolerance, a freezing target, a
 * sidecar delay, a Job deadline or a load start lead) fails it, until the file is listed here, or
 * in TIMED_BUT_PARALLEL with the reason its time checks hold on a busy machine. When in doubt, list
 * it here.
 */

/** The files vitest runs: every project's tests. */
export const TEST_FILE_GLOBS = [
  'packages/**/src/**/*.test.ts',
  'test/**/*.test.ts',
  'smp-action/**/*.test.ts',
  'smi-conformance-action/**/*.test.ts',
  'gamma-conformance-action/**/*.test.ts',
];

/** Run one at a time, after every other file, with nothing beside them: path from the repository root → why. */
export const SERIAL_TESTS: Record<string, string> = {
  // The load generator and what it measures.
  'test/loadgen/native.test.ts': 'the native generator: 500 rps within -5%/+2%, intended send times, a freezing target in the corrected p99, timeouts, grace and cancellation bounds measured with performance.now()',
  'test/loadgen/noise-control.test.ts': 'warm-up and repeats: a target slow for its first second, the warm-up measured in seconds and the latency max < 250 ms',
  'test/loadgen/tls.test.ts': 'requests completed over TLS in a 400-500 ms window (> 50, < 50, >= 19): a rate',
  'test/in-cluster/pod-load.test.ts': 'load from pods: 4 × 500 rps = 2000 rps ± 1.5%, the stall target\'s corrected p99 within 10% of 480 ms, pod start offsets',
  'test/in-cluster/action.test.ts': 'the fake cluster\'s Jobs: load pods must start within the 2 s start lead (a pod still Pending then is judged never started)',
  'test/in-cluster/cli.test.ts': 'the fake cluster\'s Jobs: load pods must start within the start lead (a pod still Pending then is judged never started)',
  'test/in-cluster/meshed-and-unpullable.test.ts': 'the fake cluster\'s Jobs: pods within the 2 s start lead, the run done in < 20 s (before the Job deadline)',
  'test/fake-cluster/jobs.test.ts': 'the fake cluster\'s Jobs: activeDeadlineSeconds (>= 3 s elapsed), ttlSecondsAfterFinished (> 500 ms), pods killed by a deadline',
  'test/fake-cluster/mesh-jobs.test.ts': 'the fake cluster\'s Jobs: a meshed Job pod still Running 500 ms after its load exits, failed by its 4 s deadline',
  'test/fake-cluster/process-network.test.ts': 'the sidecar delay measured between process pods: +2 × 5 ms per meshed call ± 10% (median of 300 requests)',
  'test/overhead/fake-cluster.test.ts': 'the mesh overhead comparison on the fake cluster: 2 × 5 ms sidecar hops measured as 10 ms ± 10% at the median, and < 1 ms without the delay',
  // Real load through the CLI and the action bundles, judged by its rate or latency.
  'test/cli/broken-targets.test.ts': 'broken targets under load: run and grace durations, intended sends per second, actual_qps, what a 50 ms target allows',
  'test/cli/regression-cli.test.ts': 'the regression gate: a run without delay must hold p99:+X% against a baseline measured seconds before; a delayed one must exceed it',
  'test/cli/smp-cli.test.ts': 'smp run at 40 rps for 1 s: > 20 requests and duration_s < 5',
  'test/actions/github-gates.test.ts': 'the regression gate through the action: p99 of a run without delay against a baseline measured seconds before',
  'test/actions/smp-action.test.ts': 'the action bundle\'s load: actual_qps > 40, a SIGTERM at 2 s of 60 s, and a run done in < 30 s',
  'test/report/report-html.browser.test.ts': 'report.html of real runs: the good run must keep up with 100 rps (no "fell behind" callout); Chromium beside another test is slow too',
  // Retries and deadlines measured on the clock.
  'test/provider/faults.test.ts': 'Retry-After honoured (>= 900 ms, < 5 s), per-request and overall deadlines bounded (< 2-3 s), measured with performance.now()',
};

/**
 * Parallel files that take about 25 s or more (alone, on a 2-core machine), started first so that
 * the two workers finish together (vitest.config.ts). Only the order depends on this list.
 */
export const START_FIRST = [
  'test/smi/switches.test.ts', // 80 s
  'test/smi/switches-osm.test.ts', // 57 s
  'test/smi/meshes.test.ts', // 32 s
  'test/gamma/run.test.ts', // 27 s
  'test/actions/smp-action-provider.test.ts', // 27 s
  'test/smi/action.test.ts', // 26 s
  'test/actions/smi-action-provider.test.ts', // 25 s
];

/**
 * Files that match measuresTime but run in parallel: path → why their time checks hold on a busy
 * machine (a bound far above what the work takes), or why they measure nothing.
 */
export const TIMED_BUT_PARALLEL: Record<string, string> = {
  'test/actions/smi-action-provider.test.ts': 'one bound, < 15 s for a refusal that takes about a second: it tells "at once" from "started a minikube"',
  'test/smi/environment.test.ts': 'one bound, a step stopped in < 8 s against a 10 s step timeout: it tells "stopped at once" from "waited the timeout out"',
  'test/fake-cluster/mesh-wiring.test.ts': 'only parses --sidecar-delay-ms and reads it back from the ready line; no delay is measured',
  'test/architecture/serial-tests.test.ts': 'the heuristic\'s own test: the lines it flags are strings there, nothing is measured',
};

/**
 * The heuristic: the first line of `source` (a test file's text) that looks like it measures time,
 * or undefined. Simple on purpose: it may flag a file that does not (list it in TIMED_BUT_PARALLEL
 * with the reason), and it cannot see a time check hidden in a helper module.
 */
export function measuresTime(source: string): string | undefined {
  const patterns = [
    // Reads the clock for a duration.
    /performance\.now\(\)|process\.hrtime|Date\.now\(\)\s*-|[\w)\]]\s+-\s+(started|startedAt|start|finishedAt)\b/,
    // Asserts a bound on a measured duration or rate.
    /\b(durationS|duration_s|graceS|grace_s|warmupS|warmup_s|took|elapsed|actual_qps|success_qps)\b[^\n]*\.toBe(CloseTo|LessThan|GreaterThan)/,
    // Runs a load generator itself: what it counts depends on the machine's speed.
    /\b(NativeLoadGenerator|podLoadGenerator)\b/,
    // A tolerance, or what only a timed run shows: a freeze, a sidecar delay, a Job deadline, a start lead.
    /±|freezingTarget|sidecar-?delay|activeDeadlineSeconds/i,
    /\bstartLeadMs\b|\bload_start_lead:/,
  ];
  for (const line of source.split('\n')) if (patterns.some((p) => p.test(line))) return line.trim();
  return undefined;
}
