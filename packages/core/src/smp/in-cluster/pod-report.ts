import { decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { LoadRun } from '../loadgen/types.js';

/**
 * What one load pod reports (the payload of its result line, result-line.ts): every counter of its
 * LoadRun, its corrected and uncorrected HdrHistograms in HdrHistogram's compressed encoding, and
 * per second of its timeline that second's two histograms, so the runner can merge the pods'
 * seconds exactly (merge.ts) instead of averaging percentiles.
 */
export interface PodReport {
  v: 1;
  /** JOB_COMPLETION_INDEX. */
  index: number;
  /** The node, when the pod was told it (env MESHSPEC_NODE_NAME from spec.nodeName). */
  node: string | null;
  /** The common start time (MESHSPEC_START_AT, epoch ms). */
  start_at_ms: number;
  /** When the load really started, on the pod's clock (epoch ms): start_at_ms + clock offset. */
  started_at_ms: number;
  /** How late the load started against start_at_ms (ms; negative if the timer fired early). */
  clock_offset_ms: number;
  histogram_settings: HistogramSettings;
  counters: PodCounters;
  hdr_corrected_us: string;
  hdr_uncorrected_us: string;
  timeline: PodSecond[];
}

export interface HistogramSettings {
  significant_digits: number;
  lowest_discernible_us: number;
}

type PodCounters = Pick<
  LoadRun,
  | 'durationS' | 'graceS' | 'requestedQps' | 'connections' | 'intended' | 'sent' | 'unsent' | 'ok' | 'failed' | 'cut'
  | 'requests' | 'errors' | 'statusCodes' | 'errorKinds' | 'errorSamples' | 'lateSends' | 'bytesReceived' | 'perUrl' | 'cancelled'
>;

interface PodSecond {
  /** 1 = the pod's first second. */
  second: number;
  requests: number;
  errors: number;
  grace?: true;
  /** That second's histograms (compressed, µs); null when it recorded nothing. */
  hdr_corrected_us: string | null;
  hdr_uncorrected_us: string | null;
}

export function settingsOf(h: Histogram): HistogramSettings {
  return { significant_digits: h.numberOfSignificantValueDigits, lowest_discernible_us: (h as unknown as { lowestDiscernibleValue: number }).lowestDiscernibleValue };
}

export const encodeHdr = (h: Histogram): string => encodeIntoCompressedBase64(h);
export const encodeHdrOrNull = (h: Histogram): string | null => (h.totalCount === 0 ? null : encodeIntoCompressedBase64(h));

/** A histogram from its compressed encoding, as a JS histogram (result building iterates its counts). */
export function decodeHdr(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}

/** The report of a finished run; `seconds` holds the encoded per-second histograms by second. */
export function podReportOf(
  run: LoadRun,
  pod: { index: number; node: string | null; startAtMs: number; seconds: ReadonlyMap<number, { corrected: string | null; uncorrected: string | null }> },
): PodReport {
  const startedAt = run.startTime.getTime();
  return {
    v: 1,
    index: pod.index,
    node: pod.node,
    start_at_ms: pod.startAtMs,
    started_at_ms: startedAt,
    clock_offset_ms: startedAt - pod.startAtMs,
    histogram_settings: settingsOf(run.corrected),
    counters: {
      durationS: run.durationS, graceS: run.graceS, requestedQps: run.requestedQps, connections: run.connections,
      intended: run.intended, sent: run.sent, unsent: run.unsent, ok: run.ok, failed: run.failed, cut: run.cut,
      requests: run.requests, errors: run.errors, statusCodes: run.statusCodes, errorKinds: run.errorKinds,
      errorSamples: run.errorSamples, lateSends: run.lateSends, bytesReceived: run.bytesReceived, perUrl: run.perUrl, cancelled: run.cancelled,
    },
    hdr_corrected_us: encodeHdr(run.corrected),
    hdr_uncorrected_us: encodeHdr(run.uncorrected),
    timeline: run.timeline.map((p) => {
      const h = pod.seconds.get(p.second);
      return {
        second: p.second,
        requests: p.requests,
        errors: p.errors,
        ...(p.grace ? { grace: true as const } : {}),
        hdr_corrected_us: h?.corrected ?? null,
        hdr_uncorrected_us: h?.uncorrected ?? null,
      };
    }),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of a parsed payload: a report from another build must fail loudly, not merge wrongly. */
export function asPodReport(payload: unknown): PodReport {
  if (!isObject(payload) || payload.v !== 1) throw new Error('the result payload is not a v1 pod report');
  for (const k of ['index', 'start_at_ms', 'started_at_ms', 'clock_offset_ms'] as const) {
    if (typeof payload[k] !== 'number') throw new Error(`the pod report has no numeric ${k}`);
  }
  if (!isObject(payload.counters) || !isObject(payload.histogram_settings) || typeof payload.hdr_corrected_us !== 'string' || typeof payload.hdr_uncorrected_us !== 'string' || !Array.isArray(payload.timeline)) {
    throw new Error('the pod report lacks counters, histograms or a timeline');
  }
  return payload as unknown as PodReport;
}
