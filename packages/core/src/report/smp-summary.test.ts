import { describe, expect, it } from 'vitest';
import { makeContext, makeRun, timelineOf } from '../../../../test/support/load-run.js';
import { buildFortioResult } from '../smp/fortio.js';
import { buildSmpResult } from '../smp/result.js';
import { compareWithBaseline, parseRegressionFlags } from '../smp/regression.js';
import { evaluateThresholds, parseThresholdFlags } from '../smp/thresholds.js';
import { renderSmpSummary } from './smp-summary.js';
import { renderSmpTable } from './smp-table.js';

// 2% of requests stalled for 312.4 ms: the corrected p99 shows it.
const latencies = [...Array.from({ length: 980 }, (_, i) => 1000 + i), ...Array.from({ length: 20 }, () => 312_400)];
const run = () =>
  makeRun({
    correctedUs: latencies,
    uncorrectedUs: latencies.map(() => 900),
    statusCodes: { '200': 980, '503': 15 },
    errorKinds: { timeout: 5 },
    requestedQps: 100,
    durationS: 10,
    timeline: timelineOf(10),
  });

/** The body of each ```mermaid block. */
function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The numbers in a chart's `line [...]` or `bar [...]` series. */
function series(block: string, kind: 'line' | 'bar'): number[] {
  const m = new RegExp(`^\\s*${kind} \\[(.*)\\]$`, 'm').exec(block);
  return m ? m[1]!.split(',').map(Number) : [];
}

describe('renderSmpSummary', () => {
  it('has a headline, the figures table, and corrected and uncorrected latencies', () => {
    const result = buildSmpResult(run(), makeContext());
    const md = renderSmpSummary(result);
    // 2% errors and no threshold on errors: it passes, with a warning that names the causes.
    expect(md.split('\n')[0]).toBe('## ⚠️ SMP run “Load Test” completed (no thresholds set), with warnings');
    expect(md).toContain('> 20 of 1,000 requests failed (error rate 2%), and no threshold covers errors');
    expect(md).toContain('| Requests intended | 1,000 |');
    expect(md).toContain('| Succeeded (2xx/3xx) · failed · cut | 980 · 20 · 0 |');
    expect(md).toContain('| Error rate (failed of completed) | 2% |');
    expect(md).toContain('| Requested rate | 100 requests/s |');
    expect(md).toContain('| Achieved rate (actual_qps: every completed request, as SMP and Fortio count it) | 100 requests/s |');
    expect(md).toContain('| Successful rate (success_qps: 2xx/3xx only) | 98 requests/s |');
    expect(md).toMatch(/\| \*\*corrected\*\* for coordinated omission \| 1\.499 \| 1\.899 \| 312\.\d+ \| 312\.\d+ \|/);
    expect(md).toContain('| uncorrected (from the actual send, responses only) | 0.9 | 0.9 | 0.9 | 0.9 |');
  });

  it('lists status codes and transport errors with their shares', () => {
    const md = renderSmpSummary(buildSmpResult(run(), makeContext()));
    expect(md).toContain('| HTTP 200 | 980 | 98% |');
    expect(md).toContain('| HTTP 503 | 15 | 1.5% |');
    expect(md).toContain('| timeout (no response) | 5 | 0.5% |');
  });

  it('says when a run was unthrottled', () => {
    const md = renderSmpSummary(buildSmpResult(makeRun({ correctedUs: [1000], requestedQps: 0 }), makeContext()));
    expect(md).toContain('| Requested rate | unthrottled (closed loop) |');
  });

  it('marks thresholds with ✅/❌ and fails the headline when one is missed', () => {
    const result = buildSmpResult(run(), makeContext());
    const ts = evaluateThresholds(result, parseThresholdFlags(['p99<250ms', 'actual_qps>=95']));
    const md = renderSmpSummary(result, undefined, ts);
    expect(md.split('\n')[0]).toBe('## ❌ SMP run “Load Test” failed: 1 of 2 thresholds missed');
    expect(md).toMatch(/\| ❌ \| p99\\<250ms \| 312\.\d+ ms \|/);
    expect(md).toContain('| ✅ | actual\\_qps\\>=95 | 100 requests/s |');
    const passed = renderSmpSummary(result, undefined, ts.filter((t) => t.passed));
    expect(passed.split('\n')[0]).toBe('## ⚠️ SMP run “Load Test” passed its threshold, with warnings');
    const covered = renderSmpSummary(result, undefined, evaluateThresholds(result, parseThresholdFlags(['error_rate<5%'])));
    expect(covered.split('\n')[0]).toBe('## ✅ SMP run “Load Test” passed its threshold');
  });

  it('names every failure in the headline: nothing succeeded, a regression, a missed threshold', () => {
    const dead = buildSmpResult(makeRun({ statusCodes: { '500': 100 }, durationS: 10 }), makeContext());
    const baseline = buildSmpResult(makeRun({ correctedUs: Array(1000).fill(1000), durationS: 10 }), makeContext());
    const deltas = compareWithBaseline(dead, { source: 'file', location: 'base/smp-result.json', result: baseline }, parseRegressionFlags(['success_qps:-5%']));
    const ts = evaluateThresholds(dead, parseThresholdFlags(['error_rate<1%']));
    const md = renderSmpSummary(dead, undefined, ts, { deltas });
    expect(md.split('\n')[0]).toBe('## ❌ SMP run “Load Test” failed: no request succeeded, 1 regression against the baseline, 1 of 1 threshold missed');
  });

  it('says a cancelled run is partial, whatever the thresholds say', () => {
    const result = buildSmpResult(run(), makeContext({ cancelled: true }));
    expect(renderSmpSummary(result).split('\n')[0]).toBe('## ⚠️ SMP run “Load Test” was cancelled: partial results');
  });

  it('charts latency percentiles and the per-second throughput and p99 with Mermaid xychart-beta', () => {
    const result = buildSmpResult(run(), makeContext());
    const blocks = mermaidBlocks(renderSmpSummary(result));
    expect(blocks).toHaveLength(3);
    for (const b of blocks) expect(b.startsWith('xychart-beta\n')).toBe(true);
    const [percentiles, throughput, p99] = blocks as [string, string, string];
    expect(percentiles).toContain('x-axis ["p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99", "max"]');
    expect(series(percentiles, 'bar')).toHaveLength(8);
    expect(series(percentiles, 'line')).toEqual(Array(8).fill(0.9));
    expect(series(throughput, 'line')).toEqual(Array(10).fill(100));
    expect(throughput).toContain('x-axis "second" 1 --> 10');
    expect(series(p99, 'line')).toEqual(Array(10).fill(5));
  });

  it('downsamples an hour-long timeline to at most 120 points per chart', () => {
    const long = makeRun({ correctedUs: [1000], durationS: 3600, timeline: timelineOf(3600, (s) => (s === 1800 ? { p99_ms: 900 } : {})) });
    const md = renderSmpSummary(buildSmpResult(long, makeContext()));
    const [, throughput, p99] = mermaidBlocks(md) as [string, string, string];
    expect(series(throughput, 'line')).toHaveLength(120);
    expect(series(p99, 'line')).toHaveLength(120);
    expect(Math.max(...series(p99, 'line'))).toBe(900);
    expect(md).toContain('Each point covers 30 s');
  });

  it('adds the Fortio latency distribution when given the Fortio result', () => {
    const r = run();
    const md = renderSmpSummary(buildSmpResult(r, makeContext()), buildFortioResult(r, makeContext()));
    const blocks = mermaidBlocks(md);
    expect(blocks).toHaveLength(4);
    expect(series(blocks[3]!, 'bar').reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('escapes names for markdown and adds extra lines and phases', () => {
    const result = buildSmpResult(run(), makeContext({ name: 'a|b *x* <img>', mesh: { type: 3, name: 'Istio', version: '1.22' } }));
    const md = renderSmpSummary(result, undefined, [], { lines: ['Published to Layer5 Cloud: [result](https://cloud.layer5.io/x)'], phases: [{ name: 'load | run', seconds: 10.04 }] });
    expect(md.split('\n')[0]).toContain('a\\|b \\*x\\* \\<img\\>');
    expect(md).toContain('Published to Layer5 Cloud: [result](https://cloud.layer5.io/x)');
    expect(md).toContain('| load \\| run | 10 s |');
    expect(renderSmpSummary(result, undefined, [], ['plain line'])).toContain('\nplain line\n');
  });

  it('renders a run without responses without charts of nothing', () => {
    const md = renderSmpSummary(buildSmpResult(makeRun({ errorKinds: { refused: 3 } }), makeContext()));
    expect(md).toContain('| refused (no response) | 3 | 100% |');
    expect(md).toContain('No latencies were recorded.');
    expect(md).toContain('No per-second figures were recorded.');
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('renderSmpTable', () => {
  it('prints aligned figures for stdout', () => {
    const text = renderSmpTable(buildSmpResult(run(), makeContext()));
    const lines = text.split('\n');
    expect(lines[0]).toBe('SMP result: Load Test');
    expect(text).toMatch(/^ {2}intended +1,000$/m);
    expect(text).toMatch(/^ {2}failed +20 \(error rate 2%\)$/m);
    expect(text).toMatch(/^ {2}load window +10 s, 4 connections$/m);
    expect(text).toMatch(/^ {2}latency \(ms\) +min +avg +p50 +p90 +p99 +max$/m);
    expect(text).toMatch(/^ {2}uncorrected +0\.9 +0\.9 +0\.9 +0\.9 +0\.9$/m);
    // Right-aligned numbers: every latency row is as wide as the header.
    const rows = lines.filter((l) => /^ {2}(latency|corrected|uncorrected)/.test(l));
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
    expect(text).toMatch(/^ {2}503 +15 +1\.5%$/m);
    expect(text).toMatch(/^ {2}timeout +5 +0\.5%$/m);
    expect(text).not.toMatch(/\x1b\[/);
  });

  it('flags a cancelled run', () => {
    expect(renderSmpTable(buildSmpResult(run(), makeContext({ cancelled: true })))).toContain('(CANCELLED: partial results)');
  });
});
