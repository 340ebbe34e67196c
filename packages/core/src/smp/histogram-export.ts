import {
  JsHistogram,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

/**
 * Read-only views of an hdr-histogram-js histogram (values in µs) for the result files.
 * hdr-histogram-js's `Histogram` interface has no iterator over recorded values; only the JS
 * implementation does. So a WebAssembly histogram is copied into a JS one through its compressed
 * encoding (cheap: the encoding is a few KB whatever the run length).
 */

/** One distinct recorded value: `valueUs` is the low end of its equivalent range (≤0.1% wide at 3 digits). */
export interface RecordedValue {
  valueUs: number;
  count: number;
}

function asJs(h: Histogram): JsHistogram {
  if (h instanceof JsHistogram) return h;
  return decodeFromCompressedBase64(encodeIntoCompressedBase64(h), 32, false) as JsHistogram;
}

/** Every distinct recorded value with its count, ascending. */
export function recordedValues(h: Histogram): RecordedValue[] {
  if (h.totalCount === 0) return [];
  const js = asJs(h);
  const out: RecordedValue[] = [];
  const it = js.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    // The iterator reports the top of each equivalent range; the bottom is what was recorded for
    // exact values (µs resolution below 2.048 ms), which keeps bucket edges such as 12 ms exact.
    out.push({ valueUs: js.lowestEquivalentValue(v.valueIteratedTo), count: v.countAtValueIteratedTo });
  }
  return out;
}

/** Summary figures in µs; all zero for an empty histogram (never NaN or MAX_SAFE_INTEGER). */
export interface HistogramFigures {
  count: number;
  minUs: number;
  maxUs: number;
  meanUs: number;
  stdDevUs: number;
  /** Value at a percentile (0..100), in µs. */
  at(percentile: number): number;
}

export function figuresOf(h: Histogram): HistogramFigures {
  const count = h.totalCount;
  if (count === 0) return { count: 0, minUs: 0, maxUs: 0, meanUs: 0, stdDevUs: 0, at: () => 0 };
  return {
    count,
    // Percentile 0 is the lowest recorded value, including a recorded 0 (minNonZeroValue skips it).
    minUs: h.getValueAtPercentile(0),
    maxUs: h.maxValue,
    meanUs: h.mean,
    stdDevUs: h.stdDeviation,
    // hdr reports a percentile as the top of its equivalent range, which can exceed the recorded
    // max (p99.9 312.575 ms beside a max of 312.4 ms); a percentile above the max would read as a bug.
    at: (p) => Math.min(h.getValueAtPercentile(p), h.maxValue),
  };
}

/** The histogram in HdrHistogram's portable compressed base64 form (readable by every HdrHistogram port). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}
