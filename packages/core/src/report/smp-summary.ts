import type { FortioResult } from '../smp/fortio.js';
import type { SmpResult } from '../smp/result.js';
import type { BaselineDeltas } from '../smp/regression.js';
import { formatFigure, type ThresholdResult } from '../smp/thresholds.js';
import { renderDeltasMarkdown, renderRepeatsMarkdown } from './smp-deltas.js';
import { renderOverheadMarkdown } from './smp-overhead.js';
import { errorKindsOf, judgeRun, lowerBoundNote, rateBoundNote } from './smp-verdict.js';
import { downsampleTimeline, MAX_CHART_POINTS } from './downsample.js';
import { escapeMd, formatCount, formatMs, formatNumber, formatPercent, plural } from './format.js';

/**
 * The markdown summary of an SMP run: summary.md and the GitHub job summary. GitHub renders
 * Mermaid `xychart-beta` blocks, so the charts need no images or hosting.
 */

export interface SummaryExtras {
  /** Markdown lines added as they are (the caller's own markup), e.g. the provider publishing status. */
  lines?: string[];
  /** Wall-clock time of each phase (cluster, mesh, load, publish), shown as a table. */
  phases?: Array<{ name: string; seconds: number }>;
  /** The comparison with a baseline (smp/regression.ts): a section after the thresholds, and the headline when it regressed. */
  deltas?: BaselineDeltas;
}

export function renderSmpSummary(
  result: SmpResult,
  fortio?: FortioResult,
  thresholds?: readonly ThresholdResult[],
  extras: SummaryExtras | readonly string[] = {},
): string {
  // A plain list of lines is the common case (notices, the publishing status).
  const more: SummaryExtras = isLines(extras) ? { lines: [...extras] } : extras;
  const out: string[] = [];
  out.push(headline(result, thresholds ?? [], more.deltas), '');
  out.push(subtitle(result), '');
  out.push(...loadSourceLines(result));
  const verdict = judgeRun(result, thresholds ?? []);
  if (verdict.failureKind === 'test') out.push(`> [!CAUTION]\n> ${escapeMd(verdict.failureMessage ?? '')}`, '');
  for (const w of verdict.warnings) out.push(`> [!WARNING]\n> ${escapeMd(w)}`, '');
  out.push(...figuresTable(result), '');
  out.push(...latencyTable(result), '');
  if (result.stats.mesh_overhead) out.push(...renderOverheadMarkdown(result.stats.mesh_overhead));
  if (thresholds && thresholds.length > 0) out.push('### Thresholds', '', ...thresholdTable(thresholds), '');
  if (more.deltas) out.push(...renderDeltasMarkdown(more.deltas));
  if (result.stats.repeats) out.push(...renderRepeatsMarkdown(result.stats.repeats));
  if (result.stats.warmup_s) out.push(`A ${formatNumber(result.stats.warmup_s, 1)} s warm-up ran first; it is left out of every figure.`, '');
  out.push('### Responses', '', ...statusTable(result), '');
  const errors = errorTable(result);
  if (errors.length > 0) out.push('### Errors and their causes', '', ...errors, '');
  out.push('### Latency percentiles', '', ...percentileChart(result), '');
  out.push('### Per second', '', ...timelineCharts(result), '');
  if (fortio) {
    const dist = distributionChart(fortio);
    if (dist.length > 0) out.push('### Latency distribution', '', ...dist, '');
  }
  if (more.phases && more.phases.length > 0) {
    out.push('### Phases', '', '| Phase | Duration |', '|---|---:|');
    for (const p of more.phases) out.push(`| ${escapeMd(p.name)} | ${formatNumber(p.seconds, 1)} s |`);
    out.push('');
  }
  if (more.lines && more.lines.length > 0) out.push(...more.lines, '');
  return `${out.join('\n').trimEnd()}\n`;
}

function isLines(extras: SummaryExtras | readonly string[]): extras is readonly string[] {
  return Array.isArray(extras);
}

function headline(result: SmpResult, thresholds: readonly ThresholdResult[], deltas?: BaselineDeltas): string {
  const name = `SMP run “${escapeMd(result.test.name)}”`;
  const missed = thresholds.filter((t) => !t.passed).length;
  if (result.stats.cancelled) return `## ⚠️ ${name} was cancelled: partial results`;
  const regressed = deltas?.checks.filter((c) => !c.passed).length ?? 0;
  // Every failure is named: nothing succeeded, regressions against the baseline, thresholds missed.
  const failures: string[] = [];
  if (result.stats.ok === 0) failures.push('no request succeeded');
  if (regressed > 0) failures.push(`${regressed} regression${regressed === 1 ? '' : 's'} against the baseline`);
  if (missed > 0) failures.push(`${missed} of ${thresholds.length} threshold${thresholds.length === 1 ? '' : 's'} missed`);
  if (failures.length > 0) return `## ❌ ${name} failed: ${failures.join(', ')}`;
  const warn = judgeRun(result, thresholds).warnings.length > 0;
  const mark = warn ? '⚠️' : '✅';
  if (thresholds.length > 0) return `## ${mark} ${name} passed ${thresholds.length === 1 ? 'its threshold' : `all ${thresholds.length} thresholds`}${warn ? ', with warnings' : ''}`;
  return `## ${mark} ${name} completed (no thresholds set)${warn ? ', with warnings' : ''}`;
}

function subtitle(result: SmpResult): string {
  const parts = [
    `mesh: ${escapeMd(result.stats.mesh_name)} (SMP type ${result.mesh.type}${result.mesh.version ? `, ${escapeMd(result.mesh.version)}` : ''})`,
    `load generator: ${escapeMd(result.stats.load_generator)}`,
    `started ${escapeMd(result.start_time)}`,
    `result ${escapeMd(result.id)}`,
  ];
  return parts.join(' · ');
}

/**
 * For in-cluster load: one line saying where it came from (pods, nodes, image), and a caution when
 * only some pods finished (stats.partial).
 */
function loadSourceLines(result: SmpResult): string[] {
  const src = result.stats.load_source;
  if (src?.kind !== 'pods') return [];
  const out: string[] = [];
  const partial = result.stats.partial;
  if (partial) out.push(`> [!CAUTION]\n> Partial result: ${partial.pods_finished} of ${plural(partial.pods_total, 'load pod')} finished, and every figure covers only those. ${escapeMd(partial.reason)}`, '');
  const offsets = src.pods.flatMap((p) => (p.start_offset_ms === null ? [] : [Math.abs(p.start_offset_ms)]));
  out.push(
    `Load from ${plural(src.pods.length, 'pod')} on ${plural(src.nodes.length, 'node')}${src.nodes.length ? ` (${src.nodes.map(escapeMd).join(', ')})` : ''}, ` +
      `image ${src.images.length ? src.images.map((i) => `\`${escapeMd(i)}\``).join(', ') : 'unknown'}` +
      `${offsets.length ? `; each pod started within ${formatNumber(Math.max(...offsets), 0)} ms of the common start time` : ''}.`,
    '',
  );
  return out;
}

function rate(qps: number): string {
  return `${formatNumber(qps, 1)} requests/s`;
}

function figuresTable(result: SmpResult): string[] {
  const s = result.stats;
  const note = rateBoundNote(result);
  return [
    '| | |',
    '|---|---:|',
    `| Requests intended | ${formatCount(s.intended)} |`,
    `| Sent · not sent | ${formatCount(s.sent)} · ${formatCount(s.unsent)}${s.unsent > 0 ? ` (${formatPercent(s.unsent_rate ?? 0)})` : ''} |`,
    `| Succeeded (2xx/3xx) · failed · cut | ${formatCount(s.ok)} · ${formatCount(s.failed)} · ${formatCount(s.cut)} |`,
    `| Error rate (failed of completed) | ${formatPercent(s.error_rate)} |`,
    `| Requested rate | ${s.requested_qps > 0 ? rate(s.requested_qps) : 'unthrottled (closed loop)'} |`,
    `| Achieved rate (actual_qps: every completed request, as SMP and Fortio count it) | ${rate(result.actual_qps)} |`,
    `| Successful rate (success_qps: 2xx/3xx only) | ${rate(s.success_qps)} |`,
    `| Load window | ${formatNumber(s.duration_s, 1)} s over ${plural(s.connections, 'connection')}${s.grace_s > 0 ? `, then ${formatNumber(s.grace_s, 2)} s of grace for responses in flight` : ''} |`,
    ...(s.late_sends > 0 ? [`| Late sends (all connections busy) | ${formatCount(s.late_sends)} |`] : []),
    ...(note ? ['', escapeMd(note)] : []),
  ];
}

function latencyTable(result: SmpResult): string[] {
  const c = result.latencies_ms;
  const u = result.stats.uncorrected_latencies_ms;
  const lb = result.stats.latencies_lower_bound;
  const note = lowerBoundNote(result);
  return [
    '| Latency (ms) | p50 | p90 | p99 | max |',
    '|---|---:|---:|---:|---:|',
    `| **corrected** for coordinated omission${lb ? ' (lower bounds)' : ''} | ${formatMs(c.p50, lb)} | ${formatMs(c.p90, lb)} | ${formatMs(c.p99, lb)} | ${formatMs(c.max, lb)} |`,
    `| uncorrected (from the actual send, responses only) | ${formatMs(u.p50)} | ${formatMs(u.p90)} | ${formatMs(u.p99)} | ${formatMs(u.max)} |`,
    ...(note ? ['', escapeMd(note)] : []),
  ];
}

/** Each transport error kind with its count and up to three distinct messages. */
function errorTable(result: SmpResult): string[] {
  const rows = errorKindsOf(result).map(({ kind, count, samples }) => {
    const causes = samples.map((x) => `${escapeMd(x.message)} (${formatCount(x.count)})`).join('<br>');
    return `| ${escapeMd(kind)} | ${formatCount(count)} | ${causes || '–'} |`;
  });
  if (rows.length === 0) return [];
  return ['| Error | Count | Causes (up to three distinct messages) |', '|---|---:|---|', ...rows];
}

function thresholdTable(thresholds: readonly ThresholdResult[]): string[] {
  const rows = ['| | Threshold | Actual |', '|---|---|---:|'];
  for (const t of thresholds) {
    const actual = t.actual === null ? 'unknown' : formatFigure(t.actual, t.unit);
    rows.push(`| ${t.passed ? '✅' : '❌'} | ${escapeMd(t.expression)} | ${escapeMd(actual)} |`);
  }
  return rows;
}

function statusTable(result: SmpResult): string[] {
  const s = result.stats;
  const rows: Array<[string, number]> = [
    ...Object.entries(s.status_codes).sort(([a], [b]) => Number(a) - Number(b)).map(([code, n]): [string, number] => [`HTTP ${code}`, n]),
    ...Object.entries(s.error_kinds).map(([kind, n]): [string, number] => [`${kind} (no response)`, n ?? 0]),
  ].filter(([, n]) => n > 0);
  if (rows.length === 0) return ['No responses were recorded.'];
  return [
    '| Response | Count | Share |',
    '|---|---:|---:|',
    ...rows.map(([label, n]) => `| ${escapeMd(label)} | ${formatCount(n)} | ${formatPercent(s.requests > 0 ? n / s.requests : 0)} |`),
  ];
}

/** A number short enough for a Mermaid data array. */
const num = (v: number): string => formatNumber(v, 3);

function percentileChart(result: SmpResult): string[] {
  const points = result.stats.percentiles_ms;
  // Requests that all failed without a response have no latency.
  if (result.stats.histogram.buckets.length === 0 || points.length === 0) return ['No latencies were recorded.'];
  const labels = [...points.map((p) => `"p${p.percentile}"`), '"max"'];
  const corrected = [...points.map((p) => p.corrected ?? 0), result.latencies_ms.max ?? 0];
  const uncorrected = [...points.map((p) => p.uncorrected ?? 0), result.stats.uncorrected_latencies_ms.max ?? 0];
  return [
    'Bars: corrected for coordinated omission. Line: uncorrected.',
    '',
    '```mermaid',
    'xychart-beta',
    '  title "Latency by percentile (ms)"',
    `  x-axis [${labels.join(', ')}]`,
    '  y-axis "ms"',
    `  bar [${corrected.map(num).join(', ')}]`,
    `  line [${uncorrected.map(num).join(', ')}]`,
    '```',
  ];
}

function timelineCharts(result: SmpResult): string[] {
  const timeline = result.stats.timeline;
  if (timeline.length === 0) return ['No per-second figures were recorded.'];
  const points = downsampleTimeline(timeline, MAX_CHART_POINTS);
  const first = points[0]!.fromSecond;
  const last = points[points.length - 1]!.toSecond;
  // A single point cannot span an axis range; Mermaid needs min < max.
  const axis = first < last ? `  x-axis "second" ${first} --> ${last}` : `  x-axis ["${first}"]`;
  const grouped = points.length < timeline.length;
  const note = grouped
    ? `Each point covers ${Math.ceil(timeline.length / MAX_CHART_POINTS)} s: throughput is the mean over it, p99 the highest.`
    : 'One point per second.';
  const graceFrom = timeline.find((p) => p.grace)?.second;
  const graceNote = graceFrom === undefined ? '' : ` Second ${graceFrom}${graceFrom < timeline[timeline.length - 1]!.second ? ' on' : ''} lies after the load window: responses that completed in the grace.`;
  return [
    note + graceNote,
    '',
    '```mermaid',
    'xychart-beta',
    '  title "Throughput (requests/s)"',
    axis,
    '  y-axis "requests/s"',
    `  line [${points.map((p) => num(p.requests)).join(', ')}]`,
    '```',
    '',
    '```mermaid',
    'xychart-beta',
    '  title "p99 latency (ms, corrected)"',
    axis,
    '  y-axis "ms"',
    // A second without any latency is drawn at 0; the table and the files say n/a (null).
    `  line [${points.map((p) => num(p.p99_ms ?? 0)).join(', ')}]`,
    '```',
  ];
}

/** Fortio's bucket counts as a bar chart: where the requests' latencies fell. */
function distributionChart(fortio: FortioResult): string[] {
  const data = fortio.DurationHistogram.Data.filter((b) => b.Count > 0);
  if (data.length === 0) return [];
  const labels = data.map((b) => `"≤${formatMs(b.End * 1000)}"`);
  return [
    'Requests per latency bucket (ms, Fortio bucket edges).',
    '',
    '```mermaid',
    'xychart-beta',
    '  title "Latency distribution"',
    `  x-axis [${labels.join(', ')}]`,
    '  y-axis "requests"',
    `  bar [${data.map((b) => b.Count).join(', ')}]`,
    '```',
  ];
}
