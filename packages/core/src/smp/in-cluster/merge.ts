import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, percentileMs } from '../loadgen/histogram.js';
import type { LoadRun, TimelinePoint } from '../loadgen/types.js';
import { mergeErrorSamples } from '../repeats.js';
import { decodeHdr, settingsOf, type HistogramSettings, type PodReport } from './pod-report.js';

/**
 * Merges the reports of the pods of one load Job into one LoadRun, exactly:
 * - histograms are added count by count, and only histograms of identical settings (significant
 *   digits, lowest discernible value) are added: HdrHistogram's add() would otherwise re-bucket
 *   silently and lose precision;
 * - every counter is summed; error samples keep the most frequent SAMPLES_PER_KIND per kind;
 * - the timelines are aligned by absolute second: second n of the merged run covers
 *   [t0 + n−1 s, t0 + n s), t0 being the earliest pod's start, and a pod's second k lands in
 *   n = k + floor((its start − t0) / 1 s). Pods start within milliseconds of the common start time
 *   (worker.ts), so a pod's second straddles the merged boundary by its start offset at most
 *   (stats.load_source.pods[].start_offset_ms says how much). Each merged second's percentiles are
 *   recomputed from the sum of the pods' histograms of that second, never averaged.
 * The merged load window (durationS) is the longest pod window: the pods run side by side, so the
 * requests of all pods divided by it is the rate they applied together.
 */
export class HistogramSettingsError extends Error {
  override name = 'HistogramSettingsError';
}

const same = (a: HistogramSettings, b: HistogramSettings) => a.significant_digits === b.significant_digits && a.lowest_discernible_us === b.lowest_discernible_us;
const describe = (s: HistogramSettings) => `${s.significant_digits} significant digits, lowest ${s.lowest_discernible_us} µs`;

/** Adds `encoded` into `into`, refusing a histogram whose settings differ from `into`'s. */
function addEncoded(into: Histogram, encoded: string, who: string): void {
  const h = decodeHdr(encoded);
  const want = settingsOf(into);
  const got = settingsOf(h);
  if (!same(want, got)) throw new HistogramSettingsError(`${who}: its histogram has ${describe(got)}, the merged one ${describe(want)}; histograms of different settings cannot be added exactly`);
  into.add(h);
}

export function mergePodReports(reports: readonly PodReport[]): LoadRun {
  if (reports.length === 0) throw new Error('mergePodReports needs at least one report');
  const corrected = createLatencyHistogram();
  const uncorrected = createLatencyHistogram();
  const want = settingsOf(corrected);
  for (const r of reports) {
    if (!same(r.histogram_settings, want)) throw new HistogramSettingsError(`pod ${r.index}: it declares histograms of ${describe(r.histogram_settings)}, this runner merges ${describe(want)}; use a worker bundle of the same meshspec build`);
    addEncoded(corrected, r.hdr_corrected_us, `pod ${r.index}`);
    addEncoded(uncorrected, r.hdr_uncorrected_us, `pod ${r.index}`);
  }
  const sum = (pick: (c: PodReport['counters']) => number) => reports.reduce((a, r) => a + pick(r.counters), 0);
  const addCounts = (pick: (c: PodReport['counters']) => Partial<Record<string, number>>) => {
    const out: Record<string, number> = {};
    for (const r of reports) for (const [k, n] of Object.entries(pick(r.counters))) out[k] = (out[k] ?? 0) + (n ?? 0);
    return out;
  };
  const t0 = Math.min(...reports.map((r) => r.started_at_ms));
  const end = Math.max(...reports.map((r) => r.started_at_ms + r.counters.durationS * 1000));
  return {
    startTime: new Date(t0),
    endTime: new Date(end),
    durationS: Math.max(...reports.map((r) => r.counters.durationS)),
    graceS: Math.max(...reports.map((r) => r.counters.graceS)),
    // A closed-loop client stays closed loop in every pod, so one pod at 0 means all are.
    requestedQps: reports.some((r) => r.counters.requestedQps === 0) ? 0 : sum((c) => c.requestedQps),
    connections: sum((c) => c.connections),
    intended: sum((c) => c.intended),
    sent: sum((c) => c.sent),
    unsent: sum((c) => c.unsent),
    ok: sum((c) => c.ok),
    failed: sum((c) => c.failed),
    cut: sum((c) => c.cut),
    requests: sum((c) => c.requests),
    errors: sum((c) => c.errors),
    statusCodes: addCounts((c) => c.statusCodes),
    errorKinds: addCounts((c) => c.errorKinds),
    errorSamples: mergeErrorSamples(reports.map((r) => r.counters)),
    perUrl: addCounts((c) => c.perUrl),
    lateSends: sum((c) => c.lateSends),
    bytesReceived: sum((c) => c.bytesReceived),
    corrected,
    uncorrected,
    timeline: mergeTimelines(reports, t0),
    cancelled: reports.some((r) => r.counters.cancelled),
  };
}

interface MergedSecond {
  requests: number;
  errors: number;
  grace: boolean;
  corrected: Histogram;
  uncorrected: Histogram;
}

/** The merged second a pod's second k falls in (1-based), by the pod's start against t0. */
export function alignedSecond(podSecond: number, podStartMs: number, t0Ms: number): number {
  return podSecond + Math.floor((podStartMs - t0Ms) / 1000);
}

function mergeTimelines(reports: readonly PodReport[], t0: number): TimelinePoint[] {
  const seconds = new Map<number, MergedSecond>();
  for (const r of reports) {
    for (const p of r.timeline) {
      const n = alignedSecond(p.second, r.started_at_ms, t0);
      let m = seconds.get(n);
      if (!m) {
        m = { requests: 0, errors: 0, grace: true, corrected: createLatencyHistogram(), uncorrected: createLatencyHistogram() };
        seconds.set(n, m);
      }
      m.requests += p.requests;
      m.errors += p.errors;
      if (!p.grace) m.grace = false;
      if (p.hdr_corrected_us) addEncoded(m.corrected, p.hdr_corrected_us, `pod ${r.index}, second ${p.second}`);
      if (p.hdr_uncorrected_us) addEncoded(m.uncorrected, p.hdr_uncorrected_us, `pod ${r.index}, second ${p.second}`);
    }
  }
  const last = Math.max(0, ...seconds.keys());
  const out: TimelinePoint[] = [];
  for (let n = 1; n <= last; n++) {
    const m = seconds.get(n);
    const pct = (h: Histogram | undefined, q: number) => (h && h.totalCount > 0 ? percentileMs(h, q) : null);
    out.push({
      second: n,
      requests: m?.requests ?? 0,
      errors: m?.errors ?? 0,
      p50_ms: pct(m?.corrected, 50),
      p90_ms: pct(m?.corrected, 90),
      p99_ms: pct(m?.corrected, 99),
      uncorrected_p50_ms: pct(m?.uncorrected, 50),
      uncorrected_p90_ms: pct(m?.uncorrected, 90),
      uncorrected_p99_ms: pct(m?.uncorrected, 99),
      ...(m?.grace ? { grace: true as const } : {}),
    });
  }
  return out;
}
