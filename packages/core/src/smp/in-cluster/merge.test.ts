import { build } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, recordMs } from '../loadgen/histogram.js';
import type { LoadRun, TimelinePoint } from '../loadgen/types.js';
import { recordedValues } from '../histogram-export.js';
import { alignedSecond, HistogramSettingsError, mergePodReports } from './merge.js';
import { encodeHdr, podReportOf, type PodReport } from './pod-report.js';

/** Deterministic pseudo-random latencies (ms), different per pod. */
function latencies(seed: number, n: number): number[] {
  let x = seed * 2654435761;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 0.2 + (x / 2 ** 31) ** 3 * 900; // a long tail up to ~900 ms
  });
}

/** A pod's run over `seconds` seconds with the given latencies spread over them, and its report. */
function podOf(index: number, ms: number[], seconds: number, startedAtMs: number, extra: Partial<LoadRun> = {}): PodReport {
  const corrected = createLatencyHistogram();
  const uncorrected = createLatencyHistogram();
  const perSecond = new Map<number, { corrected: string | null; uncorrected: string | null }>();
  const timeline: TimelinePoint[] = [];
  for (let s = 1; s <= seconds; s++) {
    const part = ms.filter((_, i) => i % seconds === s - 1);
    const c = createLatencyHistogram();
    const u = createLatencyHistogram();
    for (const v of part) {
      recordMs(corrected, v);
      recordMs(uncorrected, v / 2);
      recordMs(c, v);
      recordMs(u, v / 2);
    }
    perSecond.set(s, { corrected: encodeHdr(c), uncorrected: encodeHdr(u) });
    timeline.push({ second: s, requests: part.length, errors: 0, p50_ms: null, p90_ms: null, p99_ms: null, uncorrected_p50_ms: null, uncorrected_p90_ms: null, uncorrected_p99_ms: null });
  }
  const run: LoadRun = {
    startTime: new Date(startedAtMs), endTime: new Date(startedAtMs + seconds * 1000), durationS: seconds, graceS: 0.01 * index,
    requestedQps: 100 + index, connections: 2 + index, intended: ms.length + 1, sent: ms.length, unsent: 1, ok: ms.length - 1, failed: 1, cut: 0,
    requests: ms.length, errors: 1, statusCodes: { '200': ms.length - 1, '503': 1 }, errorKinds: { reset: 1 + index },
    errorSamples: { reset: [{ message: `reset ${index % 2}`, count: 1 + index }, { message: `only pod ${index}`, count: 1 }] },
    corrected, uncorrected, lateSends: index, bytesReceived: 1000 * (index + 1), timeline, cancelled: false, perUrl: { 'http://t/': ms.length },
    ...extra,
  };
  return podReportOf(run, { index, node: `node-${index % 2}`, startAtMs: 1_700_000_000_000, seconds: perSecond });
}

function buckets(h: LoadRun['corrected']) {
  return recordedValues(h).map((v) => `${v.valueUs}:${v.count}`);
}

describe('merging pod reports', () => {
  const t0 = 1_700_000_000_000;
  const raw = [latencies(1, 3000), latencies(2, 2500), latencies(3, 4000), latencies(4, 10)];
  const reports = raw.map((ms, i) => podOf(i, ms, 5, t0 + [3, 12, 0, 40][i]!));

  it('equals, bucket by bucket, one histogram built from every raw value', () => {
    const merged = mergePodReports(reports);
    const all = createLatencyHistogram();
    const allUncorrected = createLatencyHistogram();
    for (const ms of raw) for (const v of ms) {
      recordMs(all, v);
      recordMs(allUncorrected, v / 2);
    }
    expect(merged.corrected.totalCount).toBe(9510);
    expect(buckets(merged.corrected)).toEqual(buckets(all));
    expect(buckets(merged.uncorrected)).toEqual(buckets(allUncorrected));
    expect(merged.corrected.getValueAtPercentile(99)).toBe(all.getValueAtPercentile(99));
  });

  it('sums every counter and keeps the most frequent error samples', () => {
    const m = mergePodReports(reports);
    expect([m.intended, m.sent, m.unsent, m.ok, m.failed, m.requests, m.errors]).toEqual([9514, 9510, 4, 9506, 4, 9510, 4]);
    expect(m.statusCodes).toEqual({ '200': 9506, '503': 4 });
    expect(m.errorKinds).toEqual({ reset: 10 });
    expect(m.errorSamples.reset).toEqual([{ message: 'reset 1', count: 6 }, { message: 'reset 0', count: 4 }, { message: 'only pod 0', count: 1 }]);
    expect(m.connections).toBe(14);
    expect(m.requestedQps).toBe(406);
    expect(m.lateSends).toBe(6);
    expect(m.bytesReceived).toBe(10_000);
    expect(m.perUrl).toEqual({ 'http://t/': 9510 });
    expect(m.durationS).toBe(5);
    expect(m.graceS).toBe(0.03);
    expect(m.startTime.getTime()).toBe(t0);
  });

  it('aligns the timelines by absolute second and recomputes each second from the summed histograms', () => {
    expect(alignedSecond(1, t0 + 999, t0)).toBe(1);
    expect(alignedSecond(1, t0 + 1000, t0)).toBe(2);
    const late = podOf(1, latencies(9, 500), 3, t0 + 2100);
    const early = podOf(0, latencies(8, 600), 3, t0);
    const m = mergePodReports([early, late]);
    // early covers seconds 1..3, late (2.1 s later) 3..5.
    expect(m.timeline.map((p) => p.second)).toEqual([1, 2, 3, 4, 5]);
    expect(m.timeline.map((p) => p.requests)).toEqual([200, 200, 200 + 167, 167, 166]);
    const third = createLatencyHistogram();
    latencies(8, 600).filter((_, i) => i % 3 === 2).forEach((v) => recordMs(third, v));
    latencies(9, 500).filter((_, i) => i % 3 === 0).forEach((v) => recordMs(third, v));
    expect(m.timeline[2]!.p99_ms).toBe(third.getValueAtPercentile(99) / 1000);
  });

  it('refuses histograms of different settings', () => {
    const other = build({ numberOfSignificantValueDigits: 2, bitBucketSize: 32, autoResize: true, useWebAssembly: false });
    other.recordValue(1234);
    const bad: PodReport = { ...reports[1]!, hdr_corrected_us: encodeHdr(other) };
    expect(() => mergePodReports([reports[0]!, bad])).toThrow(HistogramSettingsError);
    expect(() => mergePodReports([reports[0]!, bad])).toThrow(/pod 1: its histogram has 2 significant digits/);
    const declared: PodReport = { ...reports[1]!, histogram_settings: { significant_digits: 2, lowest_discernible_us: 1 } };
    expect(() => mergePodReports([declared])).toThrow(/pod 1: it declares histograms of 2 significant digits/);
  });
});
