import type { Figures } from '../smp/figures.js';
import { FIGURE_UNIT, GATED_METRICS } from '../smp/figures.js';
import { formatDeltaChange, formatGatedFigure, type BaselineDeltas } from '../smp/regression.js';
import type { RepeatStats } from '../smp/repeats.js';
import type { SmpResult } from '../smp/result.js';
import type { ThresholdResult } from '../smp/thresholds.js';
import { escapeMd, formatCount, formatPercent } from './format.js';
import type { SmpPageOptions } from './html/smp-page.js';

/**
 * Markdown for the regression gate and the repeats: a section of the job summary, and the body of
 * the sticky PR comment. Both read BaselineDeltas (smp/regression.ts), as report.html does.
 */

const spreadText = (s: { min: number; max: number } | null, unit: (typeof FIGURE_UNIT)[keyof typeof FIGURE_UNIT]) =>
  s ? `${formatGatedFigure(s.min, unit)} – ${formatGatedFigure(s.max, unit)}` : '';

export function renderDeltasMarkdown(deltas: BaselineDeltas): string[] {
  const failed = deltas.checks.filter((c) => !c.passed);
  const head =
    deltas.checks.length === 0
      ? '### Against the baseline'
      : failed.length
        ? `### ❌ Regression against the baseline: ${failed.length} of ${deltas.checks.length} rule${deltas.checks.length === 1 ? '' : 's'} broken`
        : `### ✅ No regression against the baseline (${deltas.checks.length} rule${deltas.checks.length === 1 ? '' : 's'})`;
  const repeats = deltas.current.repeats > 1;
  const out = [head, '', `Baseline: ${escapeMd(deltas.baseline.location)}, run ${escapeMd(deltas.baseline.start_time)}${deltas.baseline.repeats > 1 ? ` (median of ${deltas.baseline.repeats})` : ''}.`, ''];
  out.push(`| Metric | Baseline | This run | Change |${repeats ? ' Spread (min – max) |' : ''}`, `|---|---:|---:|---:|${repeats ? '---:|' : ''}`);
  for (const d of deltas.deltas) {
    const note = d.within_spread ? ' (within spread)' : '';
    out.push(`| ${d.metric} | ${formatGatedFigure(d.baseline, d.unit)} | ${formatGatedFigure(d.current, d.unit)} | ${formatDeltaChange(d)}${note} |${repeats ? ` ${spreadText(d.current_spread, d.unit)} |` : ''}`);
  }
  if (deltas.checks.length) {
    out.push('', '| Rule | Result |', '|---|---|');
    for (const c of deltas.checks) out.push(`| \`${c.rule}\` | ${c.passed ? '✅' : '❌'} ${escapeMd(c.message)} |`);
  }
  return [...out, ''];
}

/** The repeats' figures (each window, then median and spread), for the summary. */
export function renderRepeatsMarkdown(repeats: RepeatStats): string[] {
  const cols = GATED_METRICS;
  const row = (label: string, f: Figures) => `| ${label} | ${cols.map((m) => formatGatedFigure(f[m], FIGURE_UNIT[m])).join(' | ')} |`;
  return [
    `### Repeats: median of ${repeats.count} measured windows`,
    '',
    `| Window | ${cols.join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    ...repeats.runs.map((f, i) => row(String(i + 1), f)),
    row('**median**', repeats.median),
    `| spread | ${cols.map((m) => spreadText(repeats.spread[m], FIGURE_UNIT[m])).join(' | ')} |`,
    '',
  ];
}

/** The sticky PR comment of an SMP run: verdict, key figures, thresholds and the deltas. */
export function renderSmpComment(result: SmpResult, thresholds: readonly ThresholdResult[], deltas: BaselineDeltas | undefined, runUrl: string | undefined): string {
  const missed = thresholds.filter((t) => !t.passed).length;
  const regressed = deltas?.regression === true;
  const verdict = result.stats.cancelled ? '⚠️ cancelled' : missed || regressed ? '❌ failed' : '✅ passed';
  const l = result.latencies_ms;
  const s = result.stats;
  const out = [
    `## SMP run “${escapeMd(result.test.name)}”: ${verdict}`,
    '',
    `| Requests | Errors | Achieved rate | p50 | p90 | p99 |`,
    '|---:|---:|---:|---:|---:|---:|',
    `| ${formatCount(s.requests)} | ${formatCount(s.errors)} (${formatPercent(s.error_rate)}) | ${formatGatedFigure(result.actual_qps, 'rps')} | ${formatGatedFigure(l.p50, 'ms')} | ${formatGatedFigure(l.p90, 'ms')} | ${formatGatedFigure(l.p99, 'ms')} |`,
    '',
  ];
  const noise = [s.repeats ? `medians of ${s.repeats.count} measured windows` : '', s.warmup_s ? `after a ${s.warmup_s} s warm-up left out of every figure` : ''].filter(Boolean);
  if (noise.length) out.push(`Figures: ${noise.join(', ')}.`, '');
  if (thresholds.length) out.push(...thresholds.map((t) => `- ${t.passed ? '✅' : '❌'} ${escapeMd(t.message)}`), '');
  if (deltas) out.push(...renderDeltasMarkdown(deltas));
  if (runUrl) out.push(`[Full results in the run](${runUrl})`, '');
  return out.join('\n');
}

/** Lower is better for latencies and the error rate; higher for the rates. */
const HIGHER_IS_BETTER = new Set(['actual_qps', 'success_qps']);

/** The deltas as report.html's SMP page takes them (report/html/smp-page.ts). */
export function pageDeltasOf(d: BaselineDeltas): NonNullable<SmpPageOptions['deltas']> {
  const broken = new Set(d.checks.filter((c) => !c.passed).map((c) => c.metric));
  return {
    baseline: { label: d.baseline.location, id: d.baseline.id, date: d.baseline.start_time },
    metrics: d.deltas.map((m) => {
      const better = m.change === null || m.change === 0 ? undefined : (m.change > 0) === HIGHER_IS_BETTER.has(m.metric);
      return {
        metric: m.metric,
        unit: m.unit === 'rps' ? 'requests/s' : m.unit,
        baseline: m.baseline,
        current: m.current,
        change: m.change_pct === null ? null : m.change_pct / 100,
        verdict: broken.has(m.metric) ? 'regressed' : better === undefined ? 'unchanged' : better ? 'better' : 'worse',
      };
    }),
  };
}
