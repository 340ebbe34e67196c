/**
 * Latency histograms for the load generator: hdr-histogram-js, values in microseconds with
 * 3 significant digits (0.1% precision), so memory depends on the range of values, never on
 * how many were recorded or how long the run lasted.
 */
import { build, JsHistogram, type Histogram } from 'hdr-histogram-js';
import type { TimelinePoint } from './types.js';

/** Values above this are clamped; a latency of an hour is already a failed run. */
export const MAX_LATENCY_US = 3_600_000_000;

/**
 * A µs latency histogram. The pure JS implementation is used on purpose: the WebAssembly one
 * needs explicit destroy() calls, and result building iterates the counts (JsHistogram only).
 * It starts sized for 60 s and resizes itself if a larger value is recorded.
 */
export function createLatencyHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a latency given in milliseconds (fractional) as whole microseconds. */
export function recordMs(h: Histogram, ms: number): void {
  let us = Math.round(ms * 1000);
  if (us < 0) us = 0; // clock steps cannot make a latency negative
  else if (us > MAX_LATENCY_US) us = MAX_LATENCY_US;
  h.recordValue(us);
}

/** The value at a percentile (0..100) in milliseconds; 0 for an empty histogram. */
export function percentileMs(h: Histogram, percentile: number): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(percentile) / 1000;
}

export interface LatencySummaryMs {
  min: number;
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The SMP `latencies_ms` figures; all zero for an empty histogram. */
export function latencySummaryMs(h: Histogram): LatencySummaryMs {
  if (h.totalCount === 0) return { min: 0, average: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    min: h.getValueAtPercentile(0) / 1000,
    average: h.mean / 1000,
    p50: h.getValueAtPercentile(50) / 1000,
    p90: h.getValueAtPercentile(90) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
  };
}

/** Fortio's histogram bucket edges in ms (fortio stats.go `histogramBucketValues`). */
export const FORTIO_BUCKET_EDGES_MS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 200, 300,
  400, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 40000, 50000, 75000, 100000,
];

/** One entry of Fortio's `DurationHistogram.Data`: seconds, cumulative percent. */
export interface FortioBucket {
  Start: number;
  End: number;
  Percent: number;
  Count: number;
}

/**
 * Fortio-style `Data` buckets from a µs histogram, in seconds. As in Fortio, the first bucket
 * starts at the minimum and the last ends at the maximum; empty buckets are left out.
 */
export function fortioBuckets(h: Histogram, edgesMs: readonly number[] = FORTIO_BUCKET_EDGES_MS): FortioBucket[] {
  const total = h.totalCount;
  if (total === 0) return [];
  const edgesUs = edgesMs.map((e) => e * 1000);
  const counts = new Array<number>(edgesUs.length + 1).fill(0);
  forEachRecorded(h, (valueUs, count) => {
    // Bucket k holds values in [edge[k-1], edge[k]); the last one is open-ended.
    let k = 0;
    while (k < edgesUs.length && valueUs >= edgesUs[k]!) k++;
    counts[k]! += count;
  });
  const minUs = h.getValueAtPercentile(0);
  const maxUs = h.maxValue;
  const out: FortioBucket[] = [];
  let cumulative = 0;
  for (let k = 0; k < counts.length; k++) {
    const count = counts[k]!;
    if (count === 0) continue;
    cumulative += count;
    const lo = k === 0 ? 0 : edgesUs[k - 1]!;
    const hi = k < edgesUs.length ? edgesUs[k]! : maxUs;
    out.push({
      Start: Math.max(lo, minUs) / 1e6,
      End: Math.min(hi, maxUs) / 1e6,
      Percent: (100 * cumulative) / total,
      Count: count,
    });
  }
  return out;
}

/**
 * Calls fn for every distinct recorded value (the low end of its equivalent range, in µs) with
 * its count, in ascending order.
 */
export function forEachRecorded(h: Histogram, fn: (valueUs: number, count: number) => void): void {
  if (!(h instanceof JsHistogram)) throw new TypeError('forEachRecorded needs a JS histogram (createLatencyHistogram)');
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    fn(h.lowestEquivalentValue(v.valueIteratedTo), v.countAtValueIteratedTo);
  }
}

/**
 * Shrinks a per-second timeline to at most maxPoints points for charts, merging runs of
 * consecutive seconds: requests and errors add up; p50 is the request-weighted mean of the
 * merged p50s, p99 the largest merged p99 (a tail must not be smoothed away). `second` is the
 * last second of each merged run.
 */
export function downsampleTimeline(points: readonly TimelinePoint[], maxPoints: number): TimelinePoint[] {
  if (maxPoints < 1) throw new RangeError('maxPoints must be at least 1');
  if (points.length <= maxPoints) return points.slice();
  const per = Math.ceil(points.length / maxPoints);
  const out: TimelinePoint[] = [];
  for (let i = 0; i < points.length; i += per) {
    const group = points.slice(i, i + per);
    const requests = group.reduce((s, p) => s + p.requests, 0);
    const weighted = group.reduce((s, p) => s + p.p50_ms * p.requests, 0);
    out.push({
      second: group[group.length - 1]!.second,
      requests,
      errors: group.reduce((s, p) => s + p.errors, 0),
      p50_ms: requests > 0 ? weighted / requests : 0,
      p99_ms: Math.max(...group.map((p) => p.p99_ms)),
    });
  }
  return out;
}
