import type { Logger } from '../log.js';
import { GATED_METRICS, singleRunFigure, type Figures, type GatedMetric } from './figures.js';
import type { ErrorKind, ErrorSample, LoadGenerator, LoadPlan, LoadRun, TimelinePoint } from './loadgen/types.js';
import { createLatencyHistogram } from './loadgen/histogram.js';
import { SAMPLES_PER_KIND } from './loadgen/native.js';
import { buildSmpResult, type ResultContext, type SmpResult } from './result.js';

/**
 * Noise control (issue 14): a warm-up that is run and thrown away, then the measured window run
 * `repeat` times. A single `p99:+10%` gate on a shared runner passes and fails at random; the
 * median of several windows, with their spread beside it, is what a gate can stand on.
 */

const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Number.isFinite(value) ? Math.round(value * f) / f : 0;
};

export interface NoiseControl {
  /** Run before the measured window; nothing it measures reaches any figure. 0 = none. */
  warmupMs: number;
  /** How many times the measured window runs (≥ 1). */
  repeat: number;
}

/** No warm-up, one measured window: what a run does when neither is asked for. */
export const NO_NOISE_CONTROL: NoiseControl = { warmupMs: 0, repeat: 1 };

export interface Spread {
  min: number;
  max: number;
}

/** `stats.repeats` in smp-result.json: each window's figures, their median and their spread. */
export interface RepeatStats {
  count: number;
  /** Per window, in the order they ran. */
  runs: Figures[];
  median: Figures;
  spread: Record<GatedMetric, Spread | null>;
}

export interface MeasuredRuns {
  /** The measured windows (warm-up excluded). The last one may be cancelled. */
  runs: LoadRun[];
  warmupS: number;
  cancelled: boolean;
}

/** Runs the warm-up (discarded), then the measured window `repeat` times; stops at a cancellation. */
export async function measureWithNoiseControl(generator: LoadGenerator, plan: LoadPlan, noise: NoiseControl, logger: Logger): Promise<MeasuredRuns> {
  let warmupS = 0;
  if (noise.warmupMs > 0) {
    logger.info(`warm-up: ${round(noise.warmupMs / 1000, 3)} s, left out of every figure`);
    const warm = await generator.run({ ...plan, durationMs: noise.warmupMs });
    warmupS = warm.durationS;
    if (warm.cancelled) return { runs: [], warmupS, cancelled: true };
  }
  const runs: LoadRun[] = [];
  for (let i = 1; i <= noise.repeat; i++) {
    if (noise.repeat > 1) logger.info(`measured window ${i} of ${noise.repeat}`);
    const run = await generator.run(plan);
    runs.push(run);
    if (run.cancelled) return { runs, warmupS, cancelled: true };
  }
  return { runs, warmupS, cancelled: false };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median and min–max of each figure over the windows; a figure unknown in every window stays null. */
export function repeatStats(perRun: readonly Figures[]): RepeatStats {
  const med = {} as Figures;
  const spread = {} as Record<GatedMetric, Spread | null>;
  for (const m of GATED_METRICS) {
    const known = perRun.map((f) => f[m]).filter((v): v is number => v !== null);
    med[m] = known.length ? round(median(known), 3) : null;
    spread[m] = known.length ? { min: round(Math.min(...known), 3), max: round(Math.max(...known), 3) } : null;
  }
  return { count: perRun.length, runs: perRun.map((f) => ({ ...f })), median: med, spread };
}

/**
 * One LoadRun holding every window: counts summed, histograms added, the timeline continued
 * second by second. It backs the histogram, the status codes and fortio.json; the headline
 * figures of a repeated run are the medians (applyRepeatMedians).
 * The first run's histograms are added into, so call this after each run's own figures are taken.
 */
export function mergeRuns(runs: readonly LoadRun[]): LoadRun {
  const [first, ...rest] = runs;
  if (!first) throw new Error('mergeRuns needs at least one run');
  if (rest.length === 0) return first;
  const sum = (pick: (r: LoadRun) => number) => runs.reduce((a, r) => a + pick(r), 0);
  const addCounts = <K extends string>(pick: (r: LoadRun) => Partial<Record<K, number>>) => {
    const out: Partial<Record<K, number>> = {};
    for (const r of runs) for (const [k, n] of Object.entries(pick(r)) as [K, number][]) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  const timeline: TimelinePoint[] = [];
  for (const r of runs) {
    const offset = timeline.length ? timeline[timeline.length - 1]!.second : 0;
    for (const t of r.timeline) timeline.push({ ...t, second: t.second + offset });
  }
  for (const r of rest) {
    first.corrected.add(r.corrected);
    first.uncorrected.add(r.uncorrected);
  }
  const last = runs[runs.length - 1]!;
  return {
    ...first,
    endTime: last.endTime,
    durationS: sum((r) => r.durationS),
    // Each window waits its own grace (at most min(request_timeout, 2 s)); the longest is what any window waited.
    graceS: Math.max(...runs.map((r) => r.graceS)),
    // Issue 11's accounting holds per window, so it holds for the sums: intended = sent + unsent, sent = ok + failed + cut.
    intended: sum((r) => r.intended),
    sent: sum((r) => r.sent),
    unsent: sum((r) => r.unsent),
    ok: sum((r) => r.ok),
    failed: sum((r) => r.failed),
    cut: sum((r) => r.cut),
    requests: sum((r) => r.requests),
    errors: sum((r) => r.errors),
    statusCodes: addCounts((r) => r.statusCodes) as Record<string, number>,
    errorKinds: addCounts((r) => r.errorKinds),
    errorSamples: mergeErrorSamples(runs),
    perUrl: addCounts((r) => r.perUrl) as Record<string, number>,
    lateSends: sum((r) => r.lateSends),
    bytesReceived: sum((r) => r.bytesReceived),
    timeline,
    cancelled: runs.some((r) => r.cancelled),
  };
}

/**
 * Each kind's messages over every window (or pod), counts added by message; the most frequent
 * SAMPLES_PER_KIND stay, as a single window keeps at most that many (smp/loadgen/native.ts).
 */
export function mergeErrorSamples(runs: ReadonlyArray<Pick<LoadRun, 'errorSamples'>>): LoadRun['errorSamples'] {
  const byKind = new Map<ErrorKind, Map<string, number>>();
  for (const r of runs) {
    for (const [kind, list] of Object.entries(r.errorSamples) as Array<[ErrorKind, ErrorSample[]]>) {
      const messages = byKind.get(kind) ?? new Map<string, number>();
      for (const x of list) messages.set(x.message, (messages.get(x.message) ?? 0) + x.count);
      byKind.set(kind, messages);
    }
  }
  const out: LoadRun['errorSamples'] = {};
  for (const [kind, messages] of byKind) {
    out[kind] = [...messages]
      .map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, SAMPLES_PER_KIND);
  }
  return out;
}

/** The windows' figures, read exactly as a single run's would be. */
export function figuresOfRuns(results: readonly SmpResult[]): Figures[] {
  return results.map((r) => Object.fromEntries(GATED_METRICS.map((m) => [m, singleRunFigure(r, m)])) as Figures);
}

/**
 * Writes the repeats into the result built from the merged run: `stats.repeats`, and the headline
 * figures (latencies_ms p50/p90/p99, the p99.9 percentile, actual_qps, stats.success_qps, stats.error_rate) replaced by
 * their medians, so the file, the summary and the gate all say the same number.
 */
export function applyRepeatMedians(result: SmpResult, stats: RepeatStats): SmpResult {
  const m = stats.median;
  const pick = <T extends number | null>(v: number | null, fallback: T): number | T => (v === null ? fallback : v);
  const out: SmpResult = {
    ...result,
    latencies_ms: { ...result.latencies_ms, p50: pick(m.p50, result.latencies_ms.p50), p90: pick(m.p90, result.latencies_ms.p90), p99: pick(m.p99, result.latencies_ms.p99) },
    actual_qps: pick(m.actual_qps, result.actual_qps),
    stats: {
      ...result.stats,
      error_rate: m.error_rate === null ? result.stats.error_rate : round(m.error_rate / 100, 9),
      success_qps: pick(m.success_qps, result.stats.success_qps),
      percentiles_ms: result.stats.percentiles_ms.map((p) => (p.percentile === 99.9 && m['p99.9'] !== null ? { ...p, corrected: m['p99.9'] } : p)),
      repeats: stats,
    },
  };
  return out;
}

/** A run in which nothing was measured: a warm-up cut short by a cancellation. */
export function emptyRun(plan: Pick<LoadPlan, 'clients'>): LoadRun {
  const now = new Date();
  return {
    startTime: now, endTime: now, durationS: 0, requestedQps: 0,
    connections: plan.clients.reduce((a, c) => a + c.connections, 0),
    graceS: 0, intended: 0, sent: 0, unsent: 0, ok: 0, failed: 0, cut: 0,
    requests: 0, errors: 0, statusCodes: {}, errorKinds: {}, errorSamples: {},
    corrected: createLatencyHistogram(), uncorrected: createLatencyHistogram(),
    lateSends: 0, bytesReceived: 0, timeline: [], cancelled: true, perUrl: {},
  };
}

/**
 * smp-result.json for the measured windows: a single window as it is; several merged, with the
 * medians as headline figures and `stats.repeats`. `run` is what fortio.json is built from.
 */
export function buildMeasuredResult(measured: MeasuredRuns, ctx: ResultContext, plan: Pick<LoadPlan, 'clients'>): { result: SmpResult; run: LoadRun } {
  const runs = measured.runs.length ? measured.runs : [emptyRun(plan)];
  const cancelled = ctx.cancelled || measured.cancelled;
  // Each window's own figures first: merging adds the later histograms into the first.
  const perRun = runs.length > 1 ? figuresOfRuns(runs.map((r) => buildSmpResult(r, { ...ctx, cancelled }))) : [];
  const run = mergeRuns(runs);
  let result = buildSmpResult(run, { ...ctx, cancelled });
  if (perRun.length > 1) result = applyRepeatMedians(result, repeatStats(perRun));
  if (measured.warmupS > 0) result.stats.warmup_s = round(measured.warmupS, 3);
  return { result, run };
}
