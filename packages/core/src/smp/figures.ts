import type { SmpResult } from './result.js';

/**
 * The figures a regression rule can gate and a repeated run reports a median and spread for
 * (issue 14). One table says where each lives in smp-result.json and in what unit it is compared,
 * so the gate, the repeats and every renderer read the same number.
 */
export const GATED_METRICS = ['p50', 'p90', 'p99', 'p99.9', 'actual_qps', 'success_qps', 'error_rate'] as const;
export type GatedMetric = (typeof GATED_METRICS)[number];

/** `ms` latency, `rps` requests per second, `%` an error rate in percent (compared in points). */
export type FigureUnit = 'ms' | 'rps' | '%';

export const FIGURE_UNIT: Record<GatedMetric, FigureUnit> = {
  p50: 'ms',
  p90: 'ms',
  p99: 'ms',
  'p99.9': 'ms',
  actual_qps: 'rps',
  success_qps: 'rps',
  error_rate: '%',
};

export type Figures = Record<GatedMetric, number | null>;

/** Minimal shape a figure is read from: a result of this version, or an older baseline file. */
type FigureSource = Pick<SmpResult, 'latencies_ms' | 'actual_qps'> & {
  stats: Pick<SmpResult['stats'], 'requests' | 'errors' | 'error_rate' | 'duration_s'> &
    Partial<Pick<SmpResult['stats'], 'percentiles_ms' | 'histogram' | 'success_qps'>> & { repeats?: { median: Figures } };
};

function hasLatencies(r: FigureSource): boolean {
  const buckets = r.stats.histogram?.buckets;
  if (buckets) return buckets.some((b) => b.count > 0);
  return r.stats.requests > r.stats.errors;
}

/**
 * One run's figure in the unit FIGURE_UNIT gives; null when it cannot be known (no response, so no
 * latency; no request, so no error rate). With repeats, the medians stored in `stats.repeats` win:
 * they are what the gate compares.
 */
export function figureOf(result: FigureSource, metric: GatedMetric): number | null {
  const median = result.stats.repeats?.median;
  if (median && metric in median) return median[metric];
  return singleRunFigure(result, metric);
}

export function singleRunFigure(result: FigureSource, metric: GatedMetric): number | null {
  const s = result.stats;
  switch (metric) {
    case 'actual_qps':
      return result.actual_qps;
    case 'success_qps':
      // Issue 11 writes stats.success_qps (ok ÷ load window); baselines written before it are derived.
      if (typeof s.success_qps === 'number') return s.success_qps;
      // The achieved rate's successful share, so it never exceeds actual_qps through rounding.
      return s.requests > 0 ? Math.round(result.actual_qps * (1 - s.errors / s.requests) * 1000) / 1000 : 0;
    case 'error_rate':
      return s.requests > 0 ? s.error_rate * 100 : null;
    case 'p99.9': {
      if (!hasLatencies(result)) return null;
      const hit = s.percentiles_ms?.find((p) => p.percentile === 99.9);
      return hit ? hit.corrected : null;
    }
    default:
      return hasLatencies(result) ? result.latencies_ms[metric] : null;
  }
}
