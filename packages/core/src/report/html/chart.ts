/**
 * Charts are data, not drawings: a renderer describes each chart (axes, series, columns) and the
 * page script (page/report.js) turns the description into a uPlot chart. `window.__meshspec.charts`
 * reports each chart's point count, so tests can check what was drawn against the result.
 */

/** Colour slots; the page resolves them from CSS custom properties, so light and dark both work. */
type SeriesColor = 'p50' | 'p90' | 'p99' | 'rate' | 'target' | 'error' | 'hist';

export interface ChartSeries {
  label: string;
  color: SeriesColor;
  /** Dashed line: the uncorrected twin of a corrected series. */
  dash?: boolean;
  /** Draw as bars (a histogram) instead of a line. */
  bars?: boolean;
  /** Fill under the line, lightly. */
  fill?: boolean;
  /** A band's edge: drawn thin, without its own legend value emphasis. */
  edge?: boolean;
  /** Which y axis: 'y' (left, default) or 'y2' (right). */
  scale?: 'y' | 'y2';
}

interface ChartAxis {
  label: string;
  /** Seconds since the start: whole-second ticks, shown as `45s` or `12:05`. */
  seconds?: boolean;
  /** Bars are buckets this many times wider at their upper edge (x) than at their lower edge, on a log scale. */
  bucketRatio?: number;
  /** Percentiles placed by their "nines": x = 1 / (1 - p/100), log scale, labelled p90, p99, p99.9. */
  nines?: boolean;
  /** A log₁₀ scale (latency distributions). */
  log?: boolean;
  /** Appended to values in the legend and tooltips. */
  unit?: string;
}

/** How a long timeline was shrunk for the page; absent when every point is shown. */
export interface Downsampling {
  /** Points in the result. */
  sourcePoints: number;
  /** Consecutive seconds merged into one point: ceil(sourcePoints / MAX_PAGE_POINTS). */
  secondsPerPoint: number;
  /** In words, shown under the chart. */
  rule: string;
}

export interface ChartSpec {
  id: string;
  x: ChartAxis;
  y: ChartAxis;
  y2?: ChartAxis;
  series: ChartSeries[];
  /** Shaded areas between two series, as [upper, lower] indexes into `series`. */
  bands?: Array<[number, number]>;
  /** data[0] is x; data[i + 1] belongs to series[i]. null leaves a gap. */
  data: Array<Array<number | null>>;
  downsampling?: Downsampling;
}

/**
 * The most timeline points a page draws. 1,200 keeps a one-hour run (3,600 seconds, 3 s per point)
 * well inside the 300 KB page budget while still showing every minute in detail.
 */
export const MAX_PAGE_POINTS = 1200;

/** How many consecutive seconds one drawn point covers for a timeline of `n` seconds. */
export function secondsPerPoint(n: number, max = MAX_PAGE_POINTS): number {
  return Math.max(1, Math.ceil(n / max));
}

type Reduce = 'max' | 'min' | 'mean';

/**
 * Merges every `k` consecutive values into one: `max` keeps spikes (latency), `min` keeps dips,
 * `mean` keeps totals (rates). A missing value (undefined/null) is skipped; an all-missing group is null.
 */
export function reduceGroups(values: ReadonlyArray<number | null | undefined>, k: number, how: Reduce): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < values.length; i += k) {
    let acc: number | null = null;
    let n = 0;
    for (let j = i; j < Math.min(i + k, values.length); j++) {
      const v = values[j];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      n++;
      if (acc === null) acc = v;
      else if (how === 'max') acc = Math.max(acc, v);
      else if (how === 'min') acc = Math.min(acc, v);
      else acc += v;
    }
    out.push(acc !== null && how === 'mean' ? acc / n : acc);
  }
  return out;
}

/** Where a percentile sits on a `nines` axis: p50 → 2, p90 → 10, p99 → 100, p99.9 → 1000. */
export function ninesOf(percentile: number): number {
  return Number((1 / (1 - percentile / 100)).toPrecision(6));
}

/** Rounds for the page: charts need no more than 4 significant digits, and the page stays small. */
export function compact(values: ReadonlyArray<number | null>): Array<number | null> {
  return values.map((v) => (v === null ? null : Number(v.toPrecision(4))));
}
