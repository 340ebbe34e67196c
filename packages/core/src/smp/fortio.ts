import type { Histogram } from 'hdr-histogram-js';
import { formatGoDuration, parseGoDuration } from '../duration.js';
import { redactUrl } from '../redact.js';
import type { LoadRun } from './loadgen/types.js';
import { figuresOf, recordedValues } from './histogram-export.js';
import { actualQps, type ResultContext } from './result.js';

/**
 * Builds Fortio's `HTTPRunnerResults` JSON (fortio.json): the body Meshery's provider stores as
 * `runnerResults` and its UI charts (chartjs-formatter's fortioResultToJsChartData). Every Meshery
 * generator is normalised to this shape (research/smp.md §2-3), so we emit it too.
 *
 * Fortio's units: durations in **seconds** (floats), `ActualDuration` in **nanoseconds** (Go's
 * time.Duration), `RequestedQPS` a string (`"max"` when unthrottled).
 *
 * One deliberate difference: Fortio times requests from the actual send (no coordinated-omission
 * correction). Ours come from the corrected histogram, so the provider shows the same figures as
 * smp-result.json; the uncorrected ones stay in smp-result.json's `stats`.
 */

interface FortioBucket {
  Start: number;
  End: number;
  /** Cumulative percentage of all values up to End. */
  Percent: number;
  Count: number;
}

export interface FortioHistogramData {
  Count: number;
  Min: number;
  Max: number;
  Sum: number;
  Avg: number;
  StdDev: number;
  Data: FortioBucket[];
  /** Fortio emits null when no percentiles were asked for (Sizes, HeaderSizes). */
  Percentiles: Array<{ Percentile: number; Value: number }> | null;
}

export interface FortioResult {
  RunType: 'HTTP';
  Labels: string;
  StartTime: string;
  RequestedQPS: string;
  RequestedDuration: string;
  ActualQPS: number;
  ActualDuration: number;
  NumThreads: number;
  Version: string;
  DurationHistogram: FortioHistogramData;
  Exactly: number;
  Jitter: boolean;
  RetCodes: Record<string, number>;
  Sizes: FortioHistogramData;
  HeaderSizes: FortioHistogramData;
  URL: string;
  SocketCount: number;
  AbortOn: number;
}

/** The percentiles Meshery asks Fortio for (load_test_interface.go), and so the ones its UI charts. */
const FORTIO_PERCENTILES = [50, 75, 90, 99, 99.9] as const;

/**
 * fortio/fortio stats/stats.go `histogramBucketValues`. Buckets are ]prev, edge], with a first
 * bucket for values ≤ 0 and a last one for values > 100000.
 */
export const FORTIO_BUCKET_EDGES: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  12, 14, 16, 18, 20,
  25, 30, 35, 40, 45, 50,
  60, 70, 80, 90, 100,
  120, 140, 160, 180, 200,
  250, 300, 350, 400, 450, 500,
  600, 700, 800, 900, 1000,
  2000, 3000, 4000, 5000, 7500, 10000,
  20000, 30000, 40000, 50000, 75000, 100000,
];

/**
 * Fortio's default histogram resolution (`-r`, defaults.Resolution): 0.001 s, so a bucket edge of
 * 12 means 12 ms. Meshery's runs use the default too.
 */
const FORTIO_RESOLUTION_S = 0.001;

/** Index of Fortio's bucket for a value given in resolution units (ms), as stats.go's record() does. */
export function fortioBucketIndex(scaled: number): number {
  // Fortio subtracts an epsilon so a value exactly on an edge falls in the bucket it closes.
  const v = scaled - 0.0001;
  const last = FORTIO_BUCKET_EDGES.length - 1;
  if (v <= FORTIO_BUCKET_EDGES[0]!) return 0;
  if (v > FORTIO_BUCKET_EDGES[last]!) return last + 1;
  const floor = Math.floor(v);
  // First edge strictly above the truncated value (lookUpIdx).
  let i = 1;
  while (FORTIO_BUCKET_EDGES[i]! <= floor) i++;
  return i;
}

const usToS = (us: number): number => us / 1e6;

/**
 * Converts an hdr histogram (µs) into Fortio's exported HistogramData (seconds), bucketed on
 * Fortio's edges exactly as Fortio's Export() does: empty buckets are skipped, the first bucket
 * starts at Min, the last ends at Max.
 *
 * Approximation: hdr keeps each value to 3 significant digits (µs-exact below 2.048 ms, within
 * 0.1% above), so a value within 0.1% of an edge above 2 ms may land in the neighbouring bucket.
 * Percentiles come from hdr directly, which is more precise than Fortio's interpolation in buckets.
 */
export function fortioHistogram(h: Histogram, percentiles: readonly number[] = FORTIO_PERCENTILES): FortioHistogramData {
  const f = figuresOf(h);
  if (f.count === 0) {
    // Fortio exports Data: null here, which makes Meshery's chart code (Data[0].Start) throw.
    // One empty bucket keeps the shape an array and the UI alive.
    return { Count: 0, Min: 0, Max: 0, Sum: 0, Avg: 0, StdDev: 0, Data: [{ Start: 0, End: 0, Percent: 0, Count: 0 }], Percentiles: [] };
  }
  const counts = new Map<number, number>();
  for (const { valueUs, count } of recordedValues(h)) {
    const idx = fortioBucketIndex(valueUs / 1000 / (FORTIO_RESOLUTION_S * 1000));
    counts.set(idx, (counts.get(idx) ?? 0) + count);
  }
  const min = usToS(f.minUs);
  const max = usToS(f.maxUs);
  const edgeS = (i: number) => FORTIO_BUCKET_EDGES[i]! * FORTIO_RESOLUTION_S;
  const data: FortioBucket[] = [];
  let total = 0;
  for (const idx of [...counts.keys()].sort((a, b) => a - b)) {
    const count = counts.get(idx)!;
    total += count;
    const overflow = idx >= FORTIO_BUCKET_EDGES.length;
    // As Export(): the first bucket starts at Min, others (and the > 100 s overflow) at the previous edge.
    const start = overflow ? edgeS(idx - 1) : data.length === 0 ? min : edgeS(idx - 1);
    const end = overflow ? max : edgeS(idx);
    data.push({ Start: start, End: end, Percent: (100 * total) / f.count, Count: count });
  }
  data[data.length - 1]!.End = max;
  return {
    Count: f.count,
    Min: min,
    Max: max,
    Sum: usToS(f.meanUs * f.count),
    Avg: usToS(f.meanUs),
    StdDev: usToS(f.stdDevUs),
    Data: data,
    Percentiles: percentiles.map((p) => ({ Percentile: p, Value: usToS(f.at(p)) })),
  };
}

/**
 * Formats a time the way Go's encoding/json prints a time.Time: RFC3339 with the zone offset
 * (`Z` for UTC) and fractional seconds without trailing zeros.
 */
export function goTimeString(date: Date, offsetMinutes = -date.getTimezoneOffset()): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const base = local.toISOString().slice(0, 19);
  const ms = local.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
  if (offsetMinutes === 0) return `${base}${frac}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${base}${frac}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Fortio's Sizes/HeaderSizes shape for figures we do not measure per response (the native
 * generator counts only total bytes, in smp-result.json's `stats.bytes_received`). Fortio itself
 * writes all-zero HeaderSizes like this when it does not measure them (see the reference file).
 */
function unmeasuredSizes(count: number): FortioHistogramData {
  return { Count: count, Min: 0, Max: 0, Sum: 0, Avg: 0, StdDev: 0, Data: [{ Start: 0, End: 0, Percent: 100, Count: count }], Percentiles: null };
}

export interface FortioOptions {
  /** Zone offset for StartTime in minutes east of UTC; defaults to the machine's (as Fortio does). */
  offsetMinutes?: number;
}

export function buildFortioResult(run: LoadRun, ctx: ResultContext, options: FortioOptions = {}): FortioResult {
  const firstUrl = redactUrl(ctx.profile.clients[0]?.endpoint_urls[0] ?? '');
  const requestedMs = parseGoDuration(ctx.profile.duration);
  const retCodes: Record<string, number> = {};
  // Fortio files transport errors (no HTTP status) under code -1.
  const transportErrors = Object.values(run.errorKinds).reduce((a, n) => a + (n ?? 0), 0);
  if (transportErrors > 0) retCodes['-1'] = transportErrors;
  for (const [code, n] of Object.entries(run.statusCodes)) retCodes[code] = (retCodes[code] ?? 0) + n;
  // An empty histogram (nothing measured) exports Count 0 and no percentiles, never zeros.
  const duration = fortioHistogram(run.corrected);
  return {
    RunType: 'HTTP',
    // Meshery labels its Fortio runs "<name> -_- <url>" (load_test_interface.go).
    Labels: firstUrl ? `${ctx.name} -_- ${firstUrl}` : ctx.name,
    StartTime: goTimeString(run.startTime, options.offsetMinutes),
    RequestedQPS: run.requestedQps > 0 ? String(run.requestedQps) : 'max',
    RequestedDuration: requestedMs === undefined ? ctx.profile.duration : formatGoDuration(requestedMs),
    ActualQPS: actualQps(run),
    ActualDuration: Math.round(run.durationS * 1e9),
    NumThreads: run.connections,
    Version: ctx.meshspecVersion ? `meshspec-${ctx.meshspecVersion}` : 'meshspec',
    DurationHistogram: duration,
    Exactly: 0,
    Jitter: false,
    RetCodes: retCodes,
    // One size per completed request, as Fortio counts them; the duration histogram also holds
    // the lower bounds of timed-out, cut and unsent requests.
    Sizes: unmeasuredSizes(run.ok + run.failed),
    HeaderSizes: unmeasuredSizes(run.ok + run.failed),
    URL: firstUrl,
    // Sockets opened are not counted by the generator; with keep-alive it is the connection count
    // unless connections were re-established (Connection: close, resets).
    SocketCount: run.connections,
    AbortOn: 0,
  };
}
