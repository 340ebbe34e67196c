import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../../../../test/support/input-error.js';
import { makeContext, makeRun } from '../../../../test/support/load-run.js';
import {
  REGRESSION_GRAMMAR,
  assertSameProfile,
  compareWithBaseline,
  parseRegressionFlags,
  parseRegressionInput,
  parseRegressionRule,
  profileDifferences,
  readBaselineFile,
  regressionFailureMessage,
  type Baseline,
} from './regression.js';
import { applyRepeatMedians, figuresOfRuns, mergeRuns, repeatStats } from './repeats.js';
import { buildSmpResult, type ResultContext, type SmpResult } from './result.js';

/** A result whose every response took `ms` milliseconds, at `qps` requests per second over 10 s. */
function resultAt(ms: number, options: { qps?: number; errors?: number; ctx?: Partial<ResultContext> } = {}): SmpResult {
  const requests = (options.qps ?? 100) * 10;
  const errors = options.errors ?? 0;
  const run = makeRun({ correctedUs: Array(requests).fill(ms * 1000), statusCodes: { '200': requests - errors, ...(errors ? { '503': errors } : {}) }, durationS: 10 });
  return buildSmpResult(run, makeContext(options.ctx));
}

const baselineOf = (result: SmpResult, location = 'base/smp-result.json'): Baseline => ({ source: 'file', location, result });

describe('regression rule grammar', () => {
  it.each([
    ['p99:+10%', { metric: 'p99', direction: 'rise', amount: 10, unit: '%' }],
    ['actual_qps:-5%', { metric: 'actual_qps', direction: 'fall', amount: 5, unit: '%' }],
    ['error_rate:+0.5pp', { metric: 'error_rate', direction: 'rise', amount: 0.5, unit: 'pp' }],
    ['p50:+2ms', { metric: 'p50', direction: 'rise', amount: 2, unit: 'ms' }],
    ['p99.9: +15 %', { metric: 'p99.9', direction: 'rise', amount: 15, unit: '%' }],
    ['success_qps:-3%', { metric: 'success_qps', direction: 'fall', amount: 3, unit: '%' }],
  ])('%s', (text, expected) => {
    expect(parseRegressionRule(text)).toMatchObject(expected);
  });

  it.each([
    ['p99<10%', 'does not have the form'],
    ['p99:10%', 'does not have the form'],
    ['p95:+10%', 'unknown metric "p95"'],
    ['p99:+10', 'the unit is missing'],
    ['p99:+10s', 'unknown unit "s"'],
    ['actual_qps:-5ms', 'ms applies to latencies only'],
    ['p99:+1pp', 'pp (percentage points) applies to error_rate only'],
    ['error_rate:+2ms', 'ms applies to latencies only'],
  ])('%s is exit 2 with the grammar shown', (text, why) => {
    const e = inputErrorOf(() => parseRegressionFlags([text]));
    expect(e.message).toContain(why);
    expect(e.message).toContain('--regression');
    expect(e.message).toContain(REGRESSION_GRAMMAR);
  });

  it('reports every bad line of the input at once, with its line number', () => {
    const e = inputErrorOf(() => parseRegressionInput('p99:+10%\n# a comment\n\np95:+1%\nerror_rate:+1ms\n'));
    expect(e.message).toMatch(/^2 regression rules are invalid/);
    expect(e.details).toEqual([expect.stringContaining('regression input line 4'), expect.stringContaining('regression input line 5')]);
  });
});

describe('baseline file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-baseline-'));

  it('is undefined when it does not exist (a first run)', () => {
    expect(readBaselineFile(join(dir, 'missing.json'))).toBeUndefined();
  });

  it('refuses a file that is not an SMP result, naming the file and what is missing', () => {
    const p = join(dir, 'other.json');
    writeFileSync(p, JSON.stringify({ latencies_ms: { p50: 1 } }));
    const e = inputErrorOf(() => readBaselineFile(p));
    expect(e.message).toContain(p);
    expect(e.message).toContain('$.latencies_ms');
    expect(e.message).toContain('$.test.clients');
    writeFileSync(p, '{nope');
    expect(inputErrorOf(() => readBaselineFile(p)).message).toContain('not JSON');
  });

  it('reads an earlier smp-result.json', () => {
    const p = join(dir, 'smp-result.json');
    writeFileSync(p, JSON.stringify(resultAt(5)));
    expect(readBaselineFile(p)).toMatchObject({ source: 'file', location: p, result: { latencies_ms: { p99: 5 } } });
  });
});

describe('same profile', () => {
  const base = resultAt(5);
  const withClient = (c: Partial<ResultContext['profile']['clients'][number]>, duration = '10s') =>
    resultAt(5, { ctx: { profile: { duration, clients: [{ ...makeContext().profile.clients[0]!, ...c }] } } });

  it('accepts the same test written differently (1m = 60s) and different labels', () => {
    const a = resultAt(5, { ctx: { profile: { duration: '1m', clients: makeContext().profile.clients } } });
    const b = resultAt(9, { ctx: { name: 'renamed', labels: {}, profile: { duration: '60s', clients: makeContext().profile.clients } } });
    expect(profileDifferences(a, b)).toEqual([]);
  });

  it.each([
    [withClient({ endpoint_urls: ['http://127.0.0.1:9090/'] }), 'endpoints: http://127.0.0.1:8080/ in the baseline, http://127.0.0.1:9090/ now'],
    [withClient({ rps: 200 }), 'rate: 100 rps in the baseline, 200 rps now'],
    [withClient({ connections: 8 }), 'connections: 4 in the baseline, 8 now'],
    [withClient({}, '30s'), 'duration: 10s in the baseline, 30s now'],
    [withClient({ load_generator: 'fortio' }), 'load source: runner native, GET in the baseline, runner fortio, GET now'],
    [withClient({ internal: true }), 'load source: runner native, GET in the baseline, in-cluster native, GET now'],
  ])('refuses a different profile (exit 2) and names what differs: %#', (current, difference) => {
    const e = inputErrorOf(() => assertSameProfile(current, baselineOf(base)));
    expect(e.message).toContain(difference);
    expect(e.message).toContain('base/smp-result.json');
    expect(e.details).toEqual([difference]);
  });
});

describe('the gate', () => {
  it('a run against a baseline ten times faster is a regression naming the metric with both figures', () => {
    const baseline = baselineOf(resultAt(2));
    const current = resultAt(20);
    const deltas = compareWithBaseline(current, baseline, parseRegressionFlags(['p99:+10%', 'p50:+2ms', 'actual_qps:-5%']));
    expect(deltas.regression).toBe(true);
    const [p99, p50, qps] = deltas.checks;
    expect(p99).toMatchObject({ passed: false, limit: 2.2 });
    expect(p99!.message).toBe('p99:+10% exceeded: p99 rose from 2 ms (baseline) to 20 ms (+900% (+18 ms)), at most 2.2 ms allowed');
    expect(p50).toMatchObject({ passed: false, limit: 4 });
    expect(qps).toMatchObject({ passed: true });
    expect(regressionFailureMessage(deltas)).toMatch(/^2 regressions against the baseline \(base\/smp-result\.json\): p99:\+10% exceeded/);
  });

  it('passes within the bound and bounds a fall with -', () => {
    const deltas = compareWithBaseline(resultAt(2.1, { qps: 96 }), baselineOf(resultAt(2)), parseRegressionFlags(['p99:+10%', 'actual_qps:-5%']));
    expect(deltas.checks.map((c) => c.passed)).toEqual([true, true]);
    expect(regressionFailureMessage(deltas)).toBeUndefined();
    const slower = compareWithBaseline(resultAt(2, { qps: 90 }), baselineOf(resultAt(2)), parseRegressionFlags(['actual_qps:-5%']));
    expect(slower.checks[0]).toMatchObject({ passed: false, limit: 95 });
    expect(slower.checks[0]!.message).toContain('actual_qps fell from 100/s (baseline) to 90/s');
  });

  it('says when a figure did not move', () => {
    const same = compareWithBaseline(resultAt(2), baselineOf(resultAt(2)), parseRegressionFlags(['p99:+10%']));
    expect(same.checks[0]!.message).toBe('p99:+10% held: p99 stayed at 2 ms (baseline and this run), at most 2.2 ms allowed');
  });

  it('compares error rates in percentage points', () => {
    const base = resultAt(2, { errors: 10 }); // 1%
    const rules = parseRegressionFlags(['error_rate:+0.5pp']);
    expect(compareWithBaseline(resultAt(2, { errors: 14 }), baselineOf(base), rules).regression).toBe(false);
    const worse = compareWithBaseline(resultAt(2, { errors: 20 }), baselineOf(base), rules);
    expect(worse.checks[0]!.message).toBe('error_rate:+0.5pp exceeded: error_rate rose from 1% (baseline) to 2% (+1 pp), at most 1.5% allowed');
  });

  it('explains a relative bound on a zero baseline', () => {
    const deltas = compareWithBaseline(resultAt(2, { errors: 1 }), baselineOf(resultAt(2)), parseRegressionFlags(['error_rate:+10%']));
    expect(deltas.checks[0]!.passed).toBe(false);
    expect(deltas.checks[0]!.message).toContain('use pp');
  });

  it('fails a latency rule when this run got no response at all', () => {
    const dead = buildSmpResult(makeRun({ errorKinds: { refused: 50 }, durationS: 10 }), makeContext());
    const deltas = compareWithBaseline(dead, baselineOf(resultAt(2)), parseRegressionFlags(['p99:+10%']));
    expect(deltas.checks[0]).toMatchObject({ passed: false, limit: null });
    expect(deltas.checks[0]!.message).toContain('p99 is unknown in this run');
  });

  it('lists deltas for every gated metric, with or without rules', () => {
    const deltas = compareWithBaseline(resultAt(4), baselineOf(resultAt(2)), []);
    expect(deltas.regression).toBe(false);
    expect(deltas.deltas.map((d) => d.metric)).toEqual(['p50', 'p90', 'p99', 'p99.9', 'actual_qps', 'success_qps', 'error_rate']);
    expect(deltas.deltas[2]).toMatchObject({ baseline: 2, current: 4, change: 2, change_pct: 100, current_spread: null, within_spread: false });
  });
});

describe('repeats', () => {
  const windows = [3, 2, 10].map((ms) => makeRun({ correctedUs: Array(1000).fill(ms * 1000), durationS: 10 }));

  it('report the median of each figure and its spread, and the gate compares medians', () => {
    const perRun = figuresOfRuns(windows.map((w) => buildSmpResult(w, makeContext())));
    const stats = repeatStats(perRun);
    expect(stats.count).toBe(3);
    expect(stats.median).toMatchObject({ p50: 3, p99: 3, actual_qps: 100, error_rate: 0 });
    expect(stats.spread.p99).toEqual({ min: 2, max: 10 });
    const merged = mergeRuns(windows);
    expect(merged.requests).toBe(3000);
    expect(merged.durationS).toBe(30);
    const result = applyRepeatMedians(buildSmpResult(merged, makeContext()), stats);
    expect(result.latencies_ms.p99).toBe(3);
    expect(result.stats.requests).toBe(3000);
    expect(result.stats.repeats?.spread.p99).toEqual({ min: 2, max: 10 });

    // The baseline (2.9 ms) lies within the spread (2–10 ms): the median 3 ms breaks a 1% rule, and the message says it may be noise.
    const deltas = compareWithBaseline(result, baselineOf(resultAt(2.9)), parseRegressionFlags(['p99:+1%']));
    expect(deltas.checks[0]!.passed).toBe(false);
    expect(deltas.checks[0]!.within_spread).toBe(true);
    expect(deltas.checks[0]!.message).toContain('median of 3 repeats');
    expect(deltas.checks[0]!.message).toContain('within the spread of the repeats (2 ms–10 ms), so it may be noise');
    // A baseline outside the spread is a plain regression.
    const clear = compareWithBaseline(result, baselineOf(resultAt(1)), parseRegressionFlags(['p99:+1%']));
    expect(clear.checks[0]!.within_spread).toBe(false);
    expect(clear.checks[0]!.message).not.toContain('noise');
  });

  it("merged windows keep issue 11's accounting: counts summed, samples merged by message, rates from the sums or the medians", () => {
    const windows = [
      makeRun({ correctedUs: Array(90).fill(2000), statusCodes: { '200': 90 }, errorKinds: { refused: 10 }, unsent: 5, cut: 1, durationS: 10, errorSamples: { refused: [{ message: 'connect ECONNREFUSED a', count: 10 }] } }),
      makeRun({ correctedUs: Array(80).fill(2000), statusCodes: { '200': 80 }, errorKinds: { refused: 20 }, unsent: 15, cut: 3, durationS: 10, errorSamples: { refused: [{ message: 'connect ECONNREFUSED a', count: 4 }, { message: 'connect ECONNREFUSED b', count: 16 }] } }),
      makeRun({ correctedUs: Array(100).fill(2000), statusCodes: { '200': 100 }, unsent: 0, cut: 0, durationS: 10 }),
    ];
    windows[1]!.graceS = 2;
    const results = windows.map((w) => buildSmpResult(w, makeContext()));
    const stats = repeatStats(figuresOfRuns(results));
    const result = applyRepeatMedians(buildSmpResult(mergeRuns(windows), makeContext()), stats);
    const s = result.stats;
    expect({ intended: s.intended, sent: s.sent, unsent: s.unsent, ok: s.ok, failed: s.failed, cut: s.cut }).toEqual({ intended: 324, sent: 304, unsent: 20, ok: 270, failed: 30, cut: 4 });
    expect(s.sent + s.unsent).toBe(s.intended);
    expect(s.ok + s.failed + s.cut).toBe(s.sent);
    expect(s.error_samples).toEqual({ refused: [{ message: 'connect ECONNREFUSED b', count: 16 }, { message: 'connect ECONNREFUSED a', count: 14 }] });
    expect(s.grace_s).toBe(2);
    // unsent_rate and achieved_ratio from the summed counts; success_qps, actual_qps and error_rate are the medians.
    expect(s.unsent_rate).toBeCloseTo(20 / 324, 6);
    expect(s.achieved_ratio).toBeCloseTo(304 / 324, 6);
    expect(s.success_qps).toBe(9);
    expect(stats.median.success_qps).toBe(9);
    expect(result.actual_qps).toBe(10);
    expect(s.error_rate).toBe(0.1);
  });

  it('median of an even count is the mean of the middle two', () => {
    const stats = repeatStats([{ p50: 1 }, { p50: 4 }, { p50: 2 }, { p50: 100 }].map((f) => ({ p90: null, p99: null, 'p99.9': null, actual_qps: 1, success_qps: 1, error_rate: null, ...f })));
    expect(stats.median.p50).toBe(3);
    expect(stats.median.p99).toBeNull();
    expect(stats.spread.p99).toBeNull();
  });
});
