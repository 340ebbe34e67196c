import { build } from 'hdr-histogram-js';
import type { LoadRun, TimelinePoint } from '../../packages/core/src/smp/loadgen/types.js';
import type { ResultContext } from '../../packages/core/src/smp/result.js';

/**
 * Hand-built LoadRun values for result, report and threshold tests: what a generator would have
 * measured, without running one. Latencies are given in µs, as the generators record them.
 */
export interface LoadRunSpec {
  correctedUs?: number[];
  /** Defaults to the corrected values. */
  uncorrectedUs?: number[];
  statusCodes?: Record<string, number>;
  errorKinds?: LoadRun['errorKinds'];
  /** Defaults to the sum of status codes and error kinds. */
  requests?: number;
  /** Defaults to non-2xx/3xx codes plus error kinds. */
  errors?: number;
  durationS?: number;
  requestedQps?: number;
  connections?: number;
  timeline?: TimelinePoint[];
  cancelled?: boolean;
  /** Requests due but never sent, and requests in flight at the end (default 0). */
  unsent?: number;
  cut?: number;
  errorSamples?: LoadRun['errorSamples'];
  start?: Date;
  perUrl?: Record<string, number>;
}

export function histogramOf(valuesUs: readonly number[]) {
  const h = build({ numberOfSignificantValueDigits: 3 });
  for (const v of valuesUs) h.recordValue(v);
  return h;
}

export function makeRun(spec: LoadRunSpec = {}): LoadRun {
  const correctedUs = spec.correctedUs ?? [];
  const statusCodes = spec.statusCodes ?? (correctedUs.length > 0 ? { '200': correctedUs.length } : {});
  const errorKinds = spec.errorKinds ?? {};
  const transport = Object.values(errorKinds).reduce((a, n) => a + (n ?? 0), 0);
  const requests = spec.requests ?? Object.values(statusCodes).reduce((a, n) => a + n, 0) + transport;
  const badStatus = Object.entries(statusCodes)
    .filter(([code]) => !/^[23]/.test(code))
    .reduce((a, [, n]) => a + n, 0);
  const durationS = spec.durationS ?? 10;
  const start = spec.start ?? new Date('2026-03-01T12:00:00.000Z');
  const errors = spec.errors ?? badStatus + transport;
  const unsent = spec.unsent ?? 0;
  const cut = spec.cut ?? 0;
  return {
    startTime: start,
    endTime: new Date(start.getTime() + durationS * 1000),
    durationS,
    graceS: 0,
    requestedQps: spec.requestedQps ?? 100,
    connections: spec.connections ?? 4,
    intended: requests + cut + unsent,
    sent: requests + cut,
    unsent,
    ok: requests - errors,
    failed: errors,
    cut,
    requests,
    errors,
    statusCodes,
    errorKinds,
    errorSamples: spec.errorSamples ?? {},
    corrected: histogramOf(correctedUs),
    uncorrected: histogramOf(spec.uncorrectedUs ?? correctedUs),
    lateSends: 0,
    bytesReceived: requests * 100,
    timeline: spec.timeline ?? [],
    cancelled: spec.cancelled ?? false,
    perUrl: spec.perUrl ?? { 'http://127.0.0.1:8080/': requests },
  };
}

export function makeContext(overrides: Partial<ResultContext> = {}): ResultContext {
  return {
    id: '0b8f5a53-3c61-4a3e-9d0e-5b1d7a0c2f11',
    name: 'Load Test',
    labels: { team: 'perf' },
    smpVersion: 'v0.0.1',
    profile: {
      duration: '10s',
      clients: [{ endpoint_urls: ['http://127.0.0.1:8080/'], connections: 4, rps: 100, load_generator: 'native', protocol: 1 }],
    },
    mesh: { type: 5, name: 'Linkerd', version: '2.14.0' },
    loadGenerator: 'native',
    cancelled: false,
    meshspecVersion: '0.1.0',
    ...overrides,
  };
}

/** A time series with one point per second. */
export function timelineOf(seconds: number, point: (second: number) => Partial<TimelinePoint> = () => ({})): TimelinePoint[] {
  return Array.from({ length: seconds }, (_, i) => ({
    second: i + 1,
    requests: 100,
    errors: 0,
    p50_ms: 1,
    p90_ms: 3,
    p99_ms: 5,
    uncorrected_p50_ms: 1,
    uncorrected_p90_ms: 3,
    uncorrected_p99_ms: 5,
    ...point(i + 1),
  }));
}
