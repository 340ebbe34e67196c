/**
 * Latency histograms for the load generator: hdr-histogram-js, values in microseconds with
 * 3 significant digits (0.1% precision), so memory depends on the range of values, never on
 * how many were recorded or how long the run lasted.
 */
import { build, type Histogram } from 'hdr-histogram-js';

/** Values above this are clamped; a latency of an hour is already a failed run. */
export const MAX_LATENCY_US = 3_600_000_000;

/**
 * A µs latency histogram. The pure JS implementation is used on purpose: the WebAssembly one
 * needs explicit destroy() calls, and result building iterates the counts (JsHistogram only).
 * It starts sized for 60 s and resizes itself if a larger value is recorded. Summaries, Fortio
 * buckets and timelines are built from it in smp/histogram-export.ts, smp/fortio.ts and report/.
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
