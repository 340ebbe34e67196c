import { describe, expect, it } from 'vitest';
import { makeContext, makeRun } from '../../../../test/support/load-run.js';
import { compareWithBaseline, parseRegressionFlags } from '../smp/regression.js';
import { applyRepeatMedians, figuresOfRuns, mergeRuns, repeatStats } from '../smp/repeats.js';
import { buildSmpResult } from '../smp/result.js';
import { pageDeltasOf, renderDeltasMarkdown, renderRepeatsMarkdown, renderSmpComment } from './smp-deltas.js';

const at = (ms: number) => buildSmpResult(makeRun({ correctedUs: Array(1000).fill(ms * 1000), durationS: 10 }), makeContext());

describe('deltas markdown', () => {
  it('shows both figures and the change for every metric, and each broken rule', () => {
    const deltas = compareWithBaseline(at(20), { source: 'file', location: 'base.json', result: at(2) }, parseRegressionFlags(['p99:+10%']));
    const md = renderDeltasMarkdown(deltas).join('\n');
    expect(md).toContain('### ❌ Regression against the baseline: 1 of 1 rule broken');
    expect(md).toContain('| p99 | 2 ms | 20 ms | +900% (+18 ms) |');
    expect(md).toContain('| `p99:+10%` | ❌ p99:+10% exceeded: p99 rose from 2 ms (baseline) to 20 ms');
    const comment = renderSmpComment(at(20), [], deltas, 'https://github.com/o/r/actions/runs/1');
    expect(comment).toMatch(/^## SMP run “Load Test”: ❌ failed/);
    expect(comment).toContain('[Full results in the run](https://github.com/o/r/actions/runs/1)');
  });

  it('gives report.html each metric with its verdict: regressed where a rule broke, else better or worse', () => {
    const deltas = compareWithBaseline(at(20), { source: 'file', location: 'base.json', result: at(2) }, parseRegressionFlags(['p99:+10%']));
    const page = pageDeltasOf(deltas);
    expect(page.baseline.label).toBe('base.json');
    expect(page.metrics.find((m) => m.metric === 'p99')).toEqual({ metric: 'p99', unit: 'ms', baseline: 2, current: 20, change: 9, verdict: 'regressed' });
    expect(page.metrics.find((m) => m.metric === 'p50')!.verdict).toBe('worse');
    expect(page.metrics.find((m) => m.metric === 'error_rate')!.verdict).toBe('unchanged');
  });

  it('shows each window, the median and the spread of repeats', () => {
    const runs = [3, 2, 10].map((ms) => makeRun({ correctedUs: Array(100).fill(ms * 1000), durationS: 10 }));
    const stats = repeatStats(figuresOfRuns(runs.map((r) => buildSmpResult(r, makeContext()))));
    const md = renderRepeatsMarkdown(stats).join('\n');
    expect(md).toContain('### Repeats: median of 3 measured windows');
    expect(md).toMatch(/\| \*\*median\*\* \| 3 ms \| 3 ms \| 3 ms \|/);
    expect(md).toMatch(/\| spread \| 2 ms – 10 ms \|/);
    const result = applyRepeatMedians(buildSmpResult(mergeRuns(runs), makeContext()), stats);
    expect(renderSmpComment(result, [], undefined, undefined)).toContain('Figures: medians of 3 measured windows.');
  });
});
