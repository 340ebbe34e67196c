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
  const us = micros(ms);
  h.recordValue(us > MAX_LATENCY_US ? MAX_LATENCY_US : us);
}

/** A latency in ms (fractional) as whole µs, never negative: clock steps cannot make a latency negative. */
function micros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 0 ? 0 : us;
}

/** The value at a percentile (0..100) in milliseconds; 0 for an empty histogram. */
export function percentileMs(h: Histogram, percentile: number): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(percentile) / 1000;
}

/** Latencies below this many µs (65.5 ms) are counted one by one in a LatencyTally. */
const TALLY_US = 1 << 16;

/**
 * Latencies counted per microsecond, added to an HdrHistogram in one pass by drainInto(). For the
 * load generator's hot path: hdr-histogram-js's recordValue costs a log2 and two pow calls per
 * value (1.5-2% of the generator's CPU in `perf`, bench/README.md), an array increment does not.
 * Values of TALLY_US and above go to the histogram given to the constructor at once, so nothing is
 * ever clamped or lost; drainInto() adds exactly what recordValue would have (µs values are exact
 * here, and the histogram rounds them into its own buckets either way).
 */
export class LatencyTally {
  private readonly counts = new Uint32Array(TALLY_US);
  private low = TALLY_US;
  private high = -1;

  constructor(private readonly overflow: Histogram) {}

  /** Records a latency given in milliseconds (fractional) as whole microseconds, as recordMs does. */
  recordMs(ms: number): void {
    const us = micros(ms);
    if (us >= TALLY_US) {
      recordMs(this.overflow, ms);
      return;
    }
    this.counts[us]!++;
    if (us < this.low) this.low = us;
    if (us > this.high) this.high = us;
  }

  /** Adds every tallied value to `h` and empties the tally. */
  drainInto(h: Histogram): void {
    const counts = this.counts;
    for (let us = this.low; us <= this.high; us++) {
      const n = counts[us]!;
      if (n !== 0) {
        h.recordValueWithCount(us, n);
        counts[us] = 0;
      }
    }
    this.low = TALLY_US;
    this.high = -1;
  }
}
