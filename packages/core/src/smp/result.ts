import { redactCookies, redactHeaders, redactUrl, redactUrlsIn } from '../redact.js';
import type { ErrorKind, ErrorSample, LoadRun, RequestCounts, TimelinePoint } from './loadgen/types.js';
import type { RepeatStats } from './repeats.js';
import type { MeshOverhead } from './overhead/figures.js';
import { encodeHistogram, figuresOf, recordedValues, type HistogramFigures } from './histogram-export.js';
import { runnerLoadSource, type LoadSource } from './in-cluster/load-source.js';

/**
 * Builds the SMP `PerformanceTestResult` (smp-result.json) from what a run measured.
 *
 * Field names are the proto's snake_case names (protos/service_mesh_performance.proto), so the file
 * reads like any other SMP result. Latencies are in **milliseconds** and come from the
 * coordinated-omission-corrected histogram: Meshery's ConvertToSpec copies Fortio's seconds into
 * `latencies_ms` unconverted (research/smp.md §2); we never do. Everything SMP has no field for
 * lives under `stats`, our extension (DESIGN.md, "Output directory").
 */

/** The test as it was run: the normalised SMP profile with CLI/action overrides already applied. */
interface ResultProfile {
  /** PerformanceTestConfig.id, when the profile has one; becomes `test_id`. */
  id?: string;
  /** Requested duration in Go syntax (`30s`). */
  duration: string;
  clients: ResultClient[];
}

interface ResultClient {
  endpoint_urls: string[];
  connections: number;
  /** 0 = closed loop. */
  rps: number;
  load_generator?: string;
  /** SMP protocol enum number (1 = HTTP). */
  protocol?: number;
  internal?: boolean;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  content_type?: string;
  body?: string;
}

/** What the run does not know itself: identity, names, mesh and environment. */
export interface ResultContext {
  /** This result's id (a UUID). */
  id: string;
  /** The test name. */
  name: string;
  labels: Record<string, string>;
  /** SMP version of the profile (`v0.0.1` in Meshery's samples). */
  smpVersion: string;
  profile: ResultProfile;
  /** SMP ServiceMesh: `type` is the proto enum number (mesh/registry.ts). */
  mesh: { type: number; name: string; version?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  /** SMP EnvironmentConfig figures, when a cluster is involved. */
  env?: { kubernetes_version?: string; nodes?: Array<{ type?: string; cores?: number; mem_mb?: number }> };
  /** The generator that really ran (`native`), after mapping fortio/wrk2/nighthawk onto it. */
  loadGenerator: string;
  cancelled: boolean;
  /** Where a reader finds more (e.g. the workflow run URL); omitted when unknown. */
  detailsUri?: string;
  /** meshspec's version, reported as Fortio's `Version`. */
  meshspecVersion?: string;
  /** Where the load came from; default: this machine (`kind: runner`). */
  loadSource?: LoadSource;
  /** Set when load pods failed and the figures cover only the pods that finished. */
  partial?: PartialLoad;
}

/** `stats.partial`: the figures cover `pods_finished` of `pods_total` load pods. */
interface PartialLoad {
  reason: string;
  pods_finished: number;
  pods_total: number;
}

/** Milliseconds; every figure is null when the histogram is empty (no latency to report, never 0). */
interface LatenciesMs {
  min: number | null;
  average: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface SmpTimelinePoint {
  second: number;
  /** Requests completed (a response or a transport error) in that second. */
  requests: number;
  errors: number;
  /** Corrected latencies of the requests completed in that second; null when none had one. */
  p50_ms: number | null;
  p90_ms?: number | null;
  p99_ms: number | null;
  /** Uncorrected (timed from the real send); absent in results written before they existed. */
  uncorrected_p50_ms?: number | null;
  uncorrected_p90_ms?: number | null;
  uncorrected_p99_ms?: number | null;
  /** The second lies after the load window: completions of the grace only. */
  grace?: true;
}

interface SmpStats extends RequestCounts {
  /** failed ÷ (ok + failed); 0 when nothing completed. */
  error_rate: number;
  /** ok ÷ load window (requests/s). `actual_qps` counts every completed attempt. */
  success_qps: number;
  /** unsent ÷ intended; null when nothing was intended. */
  unsent_rate: number | null;
  /** sent ÷ intended; null when nothing was intended. */
  achieved_ratio: number | null;
  status_codes: Record<string, number>;
  error_kinds: Partial<Record<ErrorKind, number>>;
  /** Per transport error kind, up to three distinct (redacted) messages with their counts. */
  error_samples: Partial<Record<ErrorKind, ErrorSample[]>>;
  /** Total requested rate; 0 = unthrottled (closed loop). */
  requested_qps: number;
  /** The load window (the duration, or less when cancelled). */
  duration_s: number;
  /** Time waited after the window for requests in flight (at most min(request timeout, 2 s)). */
  grace_s: number;
  connections: number;
  /**
   * Unsent or cut requests are in the corrected histogram at lower bounds of their latency, so the
   * corrected figures are lower bounds too: the real ones are at least this high.
   */
  latencies_lower_bound: boolean;
  /** HTTP responses only, from the actual send; null when no request got one. */
  uncorrected_latencies_ms: { p50: number | null; p90: number | null; p99: number | null; max: number | null; average: number | null };
  /** Corrected and uncorrected latency at the percentiles the summary charts (ms). */
  percentiles_ms: Array<{ percentile: number; corrected: number | null; uncorrected: number | null }>;
  histogram: SmpHistogram;
  timeline: SmpTimelinePoint[];
  /** Requests sent later than intended because every connection was busy. */
  late_sends: number;
  bytes_received: number;
  per_url: Record<string, number>;
  cancelled: boolean;
  load_generator: string;
  /** The mesh's name; SMP's ServiceMesh has only the enum number. */
  mesh_name: string;
  /** Seconds of warm-up run before the measured window and left out of every figure (smp/repeats.ts). */
  warmup_s?: number;
  /** With `repeat` > 1: each window's figures, their medians (the headline figures) and spread. */
  repeats?: RepeatStats;
  /** With a comparison without the mesh (smp/overhead/): both runs' figures, the deltas and the mesh's footprint. */
  mesh_overhead?: MeshOverhead;
  /** The runner, or the pods of an in-cluster load Job with their nodes and image IDs. */
  load_source: LoadSource;
  /** Load pods failed: the figures cover only those that finished. */
  partial?: PartialLoad;
}

interface SmpHistogram {
  unit: 'ms';
  significant_digits: number;
  /** Corrected latencies in ~25%-wide buckets (10 per decade); only non-empty buckets, `le_ms` is the upper edge. */
  buckets: Array<{ le_ms: number; count: number }>;
  /** HdrHistogram compressed base64 (values in µs), for exact re-analysis with any HdrHistogram port. */
  hdr_corrected_us: string;
  hdr_uncorrected_us: string;
}

export interface SmpResult {
  smp_version: string;
  id: string;
  labels: Record<string, string>;
  start_time: string;
  end_time: string;
  latencies_ms: LatenciesMs;
  actual_qps: number;
  details_uri?: string;
  test_id?: string;
  /** SMP EnvironmentConfig subset. */
  env: { kubernetes_version?: string; nodes?: Array<{ type?: string; cores?: number; mem_mb?: number }> };
  /** SMP ServiceMesh. */
  mesh: { type: number; version: string; labels: Record<string, string>; annotations: Record<string, string> };
  /**
   * The PerformanceTestConfig that ran, redacted. Named `test` as in the `{test, mesh}` profile
   * envelope; SMP's older result layout used `config` for the *mesh* config, so we avoid that name.
   */
  test: {
    name: string;
    duration: string;
    clients: Array<{
      internal: boolean;
      load_generator: string;
      protocol: number;
      connections: number;
      rps: number;
      endpoint_urls: string[];
      headers: Record<string, string>;
      cookies: Record<string, string>;
      content_type: string;
      /** The body's length only: a body can hold anything, including secrets. */
      body_bytes: number;
    }>;
  };
  stats: SmpStats;
}

/** Percentiles charted in the summary and listed in `stats.percentiles_ms` (Fortio's plus p95/p99.99). */
const CHART_PERCENTILES = [50, 75, 90, 95, 99, 99.9, 99.99] as const;

/** µs → ms, kept to µs precision so files stay readable (0.25, not 0.25000000000000006). */
const usToMs = (us: number): number => round(us / 1000, 3);

function round(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return 0;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** ms from µs, or null for an empty histogram: "no latency" must never read as 0 ms. */
const msOrNull = (f: HistogramFigures, us: number): number | null => (f.count === 0 ? null : usToMs(us));

function latenciesOf(f: HistogramFigures): LatenciesMs {
  return {
    min: msOrNull(f, f.minUs),
    average: msOrNull(f, f.meanUs),
    p50: msOrNull(f, f.at(50)),
    p90: msOrNull(f, f.at(90)),
    p99: msOrNull(f, f.at(99)),
    max: msOrNull(f, f.maxUs),
  };
}

// Renard R10 series: ten bucket edges per decade, each ~25% above the previous.
const R10 = [1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8];

/** Upper edge (ms) of the compact bucket that holds a value: the smallest R10 edge ≥ it. */
export function compactBucketEdgeMs(ms: number): number {
  if (ms <= 0.001) return 0.001;
  let decade = 10 ** Math.floor(Math.log10(ms));
  for (;;) {
    for (const r of R10) {
      const edge = round(r * decade, 6);
      if (edge >= ms) return edge;
    }
    decade *= 10;
  }
}

function compactBuckets(run: LoadRun): Array<{ le_ms: number; count: number }> {
  const byEdge = new Map<number, number>();
  for (const { valueUs, count } of recordedValues(run.corrected)) {
    const edge = compactBucketEdgeMs(valueUs / 1000);
    byEdge.set(edge, (byEdge.get(edge) ?? 0) + count);
  }
  return [...byEdge].sort((a, b) => a[0] - b[0]).map(([le_ms, count]) => ({ le_ms, count }));
}

const roundOrNull = (v: number | null): number | null => (v === null ? null : round(v, 3));

function timelineOf(points: TimelinePoint[]): SmpTimelinePoint[] {
  return points.map((p) => ({
    second: p.second,
    requests: p.requests,
    errors: p.errors,
    p50_ms: roundOrNull(p.p50_ms),
    p90_ms: roundOrNull(p.p90_ms),
    p99_ms: roundOrNull(p.p99_ms),
    uncorrected_p50_ms: roundOrNull(p.uncorrected_p50_ms),
    uncorrected_p90_ms: roundOrNull(p.uncorrected_p90_ms),
    uncorrected_p99_ms: roundOrNull(p.uncorrected_p99_ms),
    ...(p.grace ? { grace: true as const } : {}),
  }));
}

/** Error messages pass through redaction: a URL in a message must not carry its credentials. */
function redactSamples(samples: LoadRun['errorSamples']): SmpStats['error_samples'] {
  const out: SmpStats['error_samples'] = {};
  for (const [kind, list] of Object.entries(samples) as Array<[ErrorKind, ErrorSample[]]>) {
    out[kind] = list.map((x) => ({ message: redactUrlsIn(x.message), count: x.count }));
  }
  return out;
}

function redactKeys(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [url, n] of Object.entries(counts)) {
    const k = redactUrl(url);
    out[k] = (out[k] ?? 0) + n;
  }
  return out;
}

/** How many latencies the corrected histogram holds (0: there is no latency to report). */
export function latencySamples(result: SmpResult): number {
  return result.stats.histogram.buckets.reduce((sum, b) => sum + b.count, 0);
}

/** Achieved rate as SMP and Fortio count it: completed requests (ok + failed) over the load window. */
export function actualQps(run: Pick<LoadRun, 'ok' | 'failed' | 'durationS'>): number {
  return run.durationS > 0 ? (run.ok + run.failed) / run.durationS : 0;
}

/** The test as it ran (redacted): what tells whether two results are runs of the same test (smp/regression.ts). */
export function testSectionOf(ctx: Pick<ResultContext, 'name' | 'profile' | 'loadGenerator'>): SmpResult['test'] {
  return {
    name: ctx.name,
    duration: ctx.profile.duration,
    clients: ctx.profile.clients.map((c) => ({
      internal: c.internal ?? false,
      load_generator: c.load_generator ?? ctx.loadGenerator,
      protocol: c.protocol ?? 1,
      connections: c.connections,
      rps: c.rps,
      // The caller redacts already; doing it again costs nothing and guards every future caller.
      endpoint_urls: c.endpoint_urls.map(redactUrl),
      headers: redactHeaders(c.headers),
      cookies: redactCookies(c.cookies),
      content_type: c.content_type ?? '',
      body_bytes: Buffer.byteLength(c.body ?? ''),
    })),
  };
}


/** Successful throughput: 2xx/3xx responses over the load window. */
function successQps(run: Pick<LoadRun, 'ok' | 'durationS'>): number {
  return run.durationS > 0 ? run.ok / run.durationS : 0;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? round(part / whole, 6) : null);

export function buildSmpResult(run: LoadRun, ctx: ResultContext): SmpResult {
  const corrected = figuresOf(run.corrected);
  const uncorrected = figuresOf(run.uncorrected);
  const cancelled = ctx.cancelled || run.cancelled;
  const result: SmpResult = {
    smp_version: ctx.smpVersion,
    id: ctx.id,
    labels: { ...ctx.labels },
    start_time: run.startTime.toISOString(),
    end_time: run.endTime.toISOString(),
    latencies_ms: latenciesOf(corrected),
    actual_qps: round(actualQps(run), 3),
    // Optional SMP ids: present only when they mean something (Meshery fills them with placeholders).
    ...(ctx.detailsUri ? { details_uri: redactUrl(ctx.detailsUri) } : {}),
    ...(ctx.profile.id ? { test_id: ctx.profile.id } : {}),
    env: { ...(ctx.env ?? {}) },
    mesh: {
      type: ctx.mesh.type,
      version: ctx.mesh.version ?? '',
      labels: { ...(ctx.mesh.labels ?? {}) },
      annotations: { ...(ctx.mesh.annotations ?? {}) },
    },
    test: testSectionOf(ctx),
    stats: {
      intended: run.intended,
      sent: run.sent,
      unsent: run.unsent,
      ok: run.ok,
      failed: run.failed,
      cut: run.cut,
      requests: run.ok + run.failed,
      errors: run.failed,
      error_rate: run.ok + run.failed > 0 ? run.failed / (run.ok + run.failed) : 0,
      success_qps: round(successQps(run), 3),
      unsent_rate: ratio(run.unsent, run.intended),
      achieved_ratio: ratio(run.sent, run.intended),
      status_codes: { ...run.statusCodes },
      error_kinds: { ...run.errorKinds },
      error_samples: redactSamples(run.errorSamples),
      requested_qps: run.requestedQps,
      duration_s: round(run.durationS, 3),
      grace_s: round(run.graceS, 3),
      connections: run.connections,
      latencies_lower_bound: run.unsent + run.cut > 0,
      uncorrected_latencies_ms: {
        p50: msOrNull(uncorrected, uncorrected.at(50)),
        p90: msOrNull(uncorrected, uncorrected.at(90)),
        p99: msOrNull(uncorrected, uncorrected.at(99)),
        max: msOrNull(uncorrected, uncorrected.maxUs),
        average: msOrNull(uncorrected, uncorrected.meanUs),
      },
      percentiles_ms: CHART_PERCENTILES.map((p) => ({
        percentile: p,
        corrected: msOrNull(corrected, corrected.at(p)),
        uncorrected: msOrNull(uncorrected, uncorrected.at(p)),
      })),
      histogram: {
        unit: 'ms',
        significant_digits: run.corrected.numberOfSignificantValueDigits,
        buckets: compactBuckets(run),
        hdr_corrected_us: encodeHistogram(run.corrected),
        hdr_uncorrected_us: encodeHistogram(run.uncorrected),
      },
      timeline: timelineOf(run.timeline),
      late_sends: run.lateSends,
      bytes_received: run.bytesReceived,
      per_url: redactKeys(run.perUrl),
      cancelled,
      load_generator: ctx.loadGenerator,
      mesh_name: ctx.mesh.name,
      load_source: ctx.loadSource ?? runnerLoadSource(),
      ...(ctx.partial ? { partial: ctx.partial } : {}),
    },
  };
  return result;
}
