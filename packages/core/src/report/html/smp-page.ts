import type { SmpResult, SmpTimelinePoint } from '../../smp/result.js';
import { formatFigure, type ThresholdResult } from '../../smp/thresholds.js';
import { formatCount, formatMs, formatNumber, formatPercent } from '../format.js';
import { compact, ninesOf, reduceGroups, secondsPerPoint, type ChartSeries, type ChartSpec, type Downsampling } from './chart.js';
import { badge, callout, chartBox, facts, figures, html, section, table, type Cell, type Figure, type Html, type Tone } from './markup.js';
import type { ReportPart } from './layout.js';

/**
 * The SMP page: what a performance engineer looks at first (headline latency and rate, whether the
 * target kept up), then latency over time, the distribution, errors, the clients and the profile.
 */

/** Fields other runs add to smp-result.json; old result files lack them, and the page must still render. */
interface LaterStats {
  intended?: number;
  sent?: number;
  unsent?: number;
  ok?: number;
  failed?: number;
  cut?: number;
  error_samples?: Record<string, Array<{ message: string; count: number }>>;
  /** ok ÷ load window: smp/result.ts writes it here, in stats (the schema has no top-level success_qps). */
  success_qps?: number;
  /** Unsent or cut requests entered the corrected histogram at lower bounds of their latency. */
  latencies_lower_bound?: boolean;
}

type PercentilesMs = { p50: number | null; p90: number | null; p99: number | null; max: number | null };

/** smp-result.json as the page reads it: every field added after the first release is optional, and percentiles may be null (no latency recorded). */
export type SmpResultFile = Omit<SmpResult, 'stats' | 'latencies_ms'> & {
  latencies_ms: PercentilesMs & { min: number | null; average: number | null };
  stats: Omit<SmpResult['stats'], 'uncorrected_latencies_ms' | keyof LaterStats> & LaterStats & { uncorrected_latencies_ms: PercentilesMs };
};

/** A comparison with a baseline run (issue 14 computes it; the page renders whatever it is given). */
interface BaselineDeltas {
  baseline: { label: string; id?: string; date?: string };
  metrics: Array<{
    metric: string;
    unit?: string;
    baseline: number | null;
    current: number | null;
    /** (current - baseline) / baseline. */
    change?: number | null;
    verdict?: 'better' | 'worse' | 'unchanged' | 'regressed';
  }>;
}

export interface SmpPageOptions {
  /** The thresholds evaluated for this run (not stored in smp-result.json). */
  thresholds?: readonly ThresholdResult[];
  deltas?: BaselineDeltas;
}

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : formatMs(v));
const requests = (n: number): string => `${formatCount(n)} request${n === 1 ? '' : 's'}`;
const rate = (v: number): string => formatNumber(v, v >= 100 ? 0 : 1);

/** The target served under 95% of the requested rate (an open-loop run only). */
function fellBehind(r: SmpResultFile): boolean {
  return r.stats.requested_qps > 0 && r.actual_qps < 0.95 * r.stats.requested_qps;
}

function verdict(r: SmpResultFile, thresholds: readonly ThresholdResult[]): { tone: Tone; label: string; detail: string } {
  const s = r.stats;
  const missed = thresholds.filter((t) => !t.passed).length;
  const succeeded = s.ok ?? s.requests - s.errors;
  if (s.cancelled) return { tone: 'warn', label: 'Cancelled', detail: 'partial results: the run was stopped before its duration' };
  if (s.requests > 0 && succeeded === 0) return { tone: 'fail', label: 'Failed', detail: 'no request succeeded' };
  if (s.requests === 0) return { tone: 'fail', label: 'Failed', detail: 'no request completed' };
  if (missed > 0) return { tone: 'fail', label: 'Failed', detail: `${missed} of ${thresholds.length} threshold${thresholds.length === 1 ? '' : 's'} missed` };
  if (thresholds.length > 0) return { tone: 'pass', label: 'Passed', detail: thresholds.length === 1 ? 'its threshold held' : `all ${thresholds.length} thresholds held` };
  if (s.errors > 0) return { tone: 'warn', label: 'Completed', detail: 'with errors, and no thresholds set' };
  if (fellBehind(r) || (s.unsent ?? 0) > 0) return { tone: 'warn', label: 'Completed', detail: 'the target fell behind the requested rate; no thresholds set' };
  return { tone: 'pass', label: 'Completed', detail: 'no thresholds set' };
}

function headlineFigures(r: SmpResultFile): Html {
  const s = r.stats;
  const u = s.uncorrected_latencies_ms;
  const items: Figure[] = [
    { label: 'p50 latency', value: ms(r.latencies_ms.p50), unit: 'ms', note: `uncorrected ${ms(u.p50)} ms` },
    { label: 'p90 latency', value: ms(r.latencies_ms.p90), unit: 'ms', note: `uncorrected ${ms(u.p90)} ms` },
    { label: 'p99 latency', value: ms(r.latencies_ms.p99), unit: 'ms', note: `uncorrected ${ms(u.p99)} ms` },
    {
      label: 'Achieved rate',
      value: rate(r.actual_qps),
      unit: 'req/s',
      note: s.requested_qps > 0 ? `of ${rate(s.requested_qps)} requested (${formatPercent(r.actual_qps / s.requested_qps)})` : 'unthrottled (closed loop)',
      tone: fellBehind(r) ? 'warn' : undefined,
    },
    {
      label: 'Error rate',
      value: formatPercent(s.error_rate),
      note: `${formatCount(s.errors)} of ${formatCount(s.requests)} requests`,
      tone: s.errors > 0 ? 'fail' : 'pass',
    },
  ];
  if (s.success_qps !== undefined) items.push({ label: 'Successful rate', value: rate(s.success_qps), unit: 'req/s', note: '2xx/3xx responses per second' });
  items.push({ label: 'Duration', value: formatNumber(s.duration_s, 1), unit: 's', note: `${formatCount(s.connections)} connection${s.connections === 1 ? '' : 's'}` });
  return figures(items);
}

function warnings(r: SmpResultFile, thresholds: readonly ThresholdResult[]): Html[] {
  const s = r.stats;
  const out: Html[] = [];
  if (s.cancelled) out.push(callout('warn', 'Cancelled.', 'The run was stopped early; every figure covers only the part that ran.'));
  if (s.unsent !== undefined && s.unsent > 0) {
    const of = s.intended !== undefined ? ` of ${formatCount(s.intended)} intended` : '';
    out.push(callout('warn', `${requests(s.unsent)} ${s.unsent === 1 ? 'was' : 'were'} never sent${of}.`, 'Every connection was still busy when their send time came and the run ended first: the target could not keep up with the requested rate.'));
  }
  if (s.cut !== undefined && s.cut > 0) {
    out.push(callout('warn', `${requests(s.cut)} ${s.cut === 1 ? 'was' : 'were'} cut off`, 'when the run ended: they had been sent but had no response yet, and are not in the latency figures.'));
  }
  if (fellBehind(r) && !s.cancelled) {
    out.push(callout('warn', 'The target fell behind.', `It served ${rate(r.actual_qps)} requests/s of the ${rate(s.requested_qps)} requested (${formatPercent(r.actual_qps / s.requested_qps)}).`));
  }
  if (s.latencies_lower_bound) {
    out.push(callout('warn', 'The corrected latencies are lower bounds:', 'requests that were never sent or were cut off count with the shortest latency they could have had; the real figures are at least this high.'));
  }
  const c99 = r.latencies_ms.p99;
  const u99 = s.uncorrected_latencies_ms.p99;
  if (c99 !== null && u99 !== null && u99 > 0 && c99 > 2 * u99) {
    out.push(
      callout('warn', `Corrected p99 is ${formatNumber(c99 / u99, 1)}× the uncorrected p99.`, `Requests waited for a free connection before they were sent${s.late_sends > 0 ? ` (${formatCount(s.late_sends)} late sends)` : ''}; the corrected figure is what a user at the requested rate would have seen.`),
    );
  }
  const missed = thresholds.filter((t) => !t.passed);
  if (missed.length > 0) out.push(callout('fail', 'Thresholds missed:', missed.map((t) => t.message).join('; ')));
  return out;
}

function thresholdTable(thresholds: readonly ThresholdResult[]): Html {
  return table(
    'thresholds',
    ['', 'Threshold', { label: 'Actual', num: true }],
    thresholds.map((t) => [
      { text: t.passed ? badge('pass', 'held') : badge('fail', 'missed'), value: t.passed },
      t.expression,
      { text: t.actual === null ? 'unknown' : formatFigure(t.actual, t.unit), value: t.actual, num: true },
    ]),
    (i) => (thresholds[i]!.passed ? undefined : 'fail'),
  );
}

function deltasTable(d: BaselineDeltas): Html {
  const tone = (v: BaselineDeltas['metrics'][number]['verdict']): Tone | undefined => (v === 'better' ? 'pass' : v === 'worse' || v === 'regressed' ? 'fail' : undefined);
  const fmt = (v: number | null, unit?: string) => (v === null ? '–' : `${formatNumber(v, 3)}${unit ? ` ${unit}` : ''}`);
  return section(
    'baseline',
    'Against the baseline',
    table(
      'deltas',
      ['Metric', { label: 'Baseline', num: true }, { label: 'This run', num: true }, { label: 'Change', num: true }, 'Verdict'],
      d.metrics.map((m) => [
        m.metric,
        { text: fmt(m.baseline, m.unit), value: m.baseline, num: true },
        { text: fmt(m.current, m.unit), value: m.current, num: true },
        { text: m.change === null || m.change === undefined ? '–' : `${m.change > 0 ? '+' : ''}${formatNumber(m.change * 100, 1)}%`, value: m.change ?? null, num: true, tone: tone(m.verdict) },
        { text: m.verdict ? badge(tone(m.verdict) ?? 'muted', m.verdict) : '', value: m.verdict ?? null },
      ]),
    ),
    html`Baseline: ${d.baseline.label}${d.baseline.date ? ` (${d.baseline.date})` : ''}${d.baseline.id ? html`, result <code>${d.baseline.id}</code>` : ''}.`,
  );
}

type TimelineColumn = { key: keyof SmpTimelinePoint; series: ChartSeries };

const LATENCY_COLUMNS: TimelineColumn[] = [
  { key: 'p50_ms', series: { label: 'p50', color: 'p50' } },
  { key: 'p90_ms', series: { label: 'p90', color: 'p90' } },
  { key: 'p99_ms', series: { label: 'p99', color: 'p99' } },
  { key: 'uncorrected_p50_ms', series: { label: 'p50 uncorrected', color: 'p50', dash: true } },
  { key: 'uncorrected_p90_ms', series: { label: 'p90 uncorrected', color: 'p90', dash: true } },
  { key: 'uncorrected_p99_ms', series: { label: 'p99 uncorrected', color: 'p99', dash: true } },
];

/** The downsampling rule, stated once for both timeline charts. */
function downsamplingOf(n: number): Downsampling | undefined {
  const k = secondsPerPoint(n);
  if (k === 1) return undefined;
  return {
    sourcePoints: n,
    secondsPerPoint: k,
    rule: `${formatCount(n)} seconds drawn as ${formatCount(Math.ceil(n / k))} points of ${k} s each: latency shows the worst second of each point, the rate its mean with the slowest and fastest second shaded.`,
  };
}

function latencyTimeline(timeline: readonly SmpTimelinePoint[], ds: Downsampling | undefined): ChartSpec {
  const k = ds?.secondsPerPoint ?? 1;
  // Old results have only p50/p99: draw the series the file holds.
  const columns = LATENCY_COLUMNS.filter((c) => timeline.some((p) => typeof p[c.key] === 'number'));
  return {
    id: 'latency-timeline',
    x: { label: 'time into the run', seconds: true },
    y: { label: 'latency', unit: 'ms' },
    series: columns.map((c) => c.series),
    data: [reduceGroups(timeline.map((p) => p.second), k, 'min'), ...columns.map((c) => compact(reduceGroups(timeline.map((p) => p[c.key] as number | undefined), k, 'max')))],
    downsampling: ds,
  };
}

function rateTimeline(r: SmpResultFile, ds: Downsampling | undefined): ChartSpec {
  const timeline = r.stats.timeline;
  const k = ds?.secondsPerPoint ?? 1;
  const requests = timeline.map((p) => p.requests);
  const x = reduceGroups(timeline.map((p) => p.second), k, 'min');
  const series: ChartSeries[] = [{ label: 'achieved', color: 'rate', fill: true }];
  const data: ChartSpec['data'] = [x, compact(reduceGroups(requests, k, 'mean'))];
  const bands: ChartSpec['bands'] = [];
  if (k > 1) {
    series.push({ label: 'fastest second', color: 'rate', edge: true }, { label: 'slowest second', color: 'rate', edge: true });
    data.push(reduceGroups(requests, k, 'max'), reduceGroups(requests, k, 'min'));
    bands.push([1, 2]);
  }
  if (r.stats.requested_qps > 0) {
    series.push({ label: 'requested', color: 'target', dash: true });
    data.push(x.map(() => r.stats.requested_qps));
  }
  series.push({ label: 'errors', color: 'error', scale: 'y2' });
  data.push(compact(reduceGroups(timeline.map((p) => p.errors), k, 'mean')));
  return { id: 'rate-timeline', x: { label: 'time into the run', seconds: true }, y: { label: 'requests/s', unit: 'req/s' }, y2: { label: 'errors/s', unit: 'err/s' }, series, bands, data, downsampling: ds };
}

function histogramChart(r: SmpResultFile): ChartSpec {
  const buckets = r.stats.histogram.buckets;
  return {
    id: 'latency-histogram',
    // smp/result.ts's compact buckets: Renard R10 edges, ten per decade (each ≈ 1.26× the previous).
    x: { label: 'latency (upper bucket edge)', unit: 'ms', log: true, bucketRatio: 10 ** 0.1 },
    y: { label: 'requests' },
    series: [{ label: 'requests', color: 'hist', bars: true }],
    data: [buckets.map((b) => b.le_ms), buckets.map((b) => b.count)],
  };
}

/** Latency by percentile, corrected against uncorrected: where coordinated omission shows most. */
function percentileChart(r: SmpResultFile): ChartSpec {
  const points = r.stats.percentiles_ms.filter((p) => p.percentile < 100);
  return {
    id: 'latency-percentiles',
    x: { label: 'percentile', log: true, nines: true },
    y: { label: 'latency', unit: 'ms', log: true },
    series: [
      { label: 'corrected', color: 'p99' },
      { label: 'uncorrected', color: 'p50', dash: true },
    ],
    data: [points.map((p) => ninesOf(p.percentile)), points.map((p) => p.corrected), points.map((p) => p.uncorrected)],
  };
}

function percentileTable(r: SmpResultFile): Html {
  const rows: Cell[][] = r.stats.percentiles_ms.map((p) => [
    { text: `p${p.percentile}`, value: p.percentile },
    { text: ms(p.corrected), value: p.corrected, num: true },
    { text: ms(p.uncorrected), value: p.uncorrected, num: true },
  ]);
  rows.push([
    { text: 'max', value: 100 },
    { text: ms(r.latencies_ms.max), value: r.latencies_ms.max, num: true },
    { text: ms(r.stats.uncorrected_latencies_ms.max), value: r.stats.uncorrected_latencies_ms.max, num: true },
  ]);
  return table('percentiles', ['Percentile', { label: 'Corrected (ms)', num: true }, { label: 'Uncorrected (ms)', num: true }], rows);
}

function responsesSection(r: SmpResultFile): Html {
  const s = r.stats;
  const share = (n: number) => formatPercent(s.requests > 0 ? n / s.requests : 0);
  const codes = Object.entries(s.status_codes).sort(([a], [b]) => Number(a) - Number(b));
  const kinds = Object.entries(s.error_kinds).filter(([, n]) => (n ?? 0) > 0);
  const rows = [
    ...codes.map(([code, n]) => [{ text: html`HTTP <b>${code}</b>`, value: `HTTP ${code}` }, { text: formatCount(n), value: n, num: true }, share(n)]),
    ...kinds.map(([kind, n]) => [{ text: html`<b>${kind}</b> (no response)`, value: kind }, { text: formatCount(n ?? 0), value: n ?? 0, num: true }, share(n ?? 0)]),
  ];
  const isError = (i: number) => (i < codes.length ? !/^[23]/.test(codes[i]![0]) : true);
  const samples = Object.entries(s.error_samples ?? {}).flatMap(([kind, list]) => list.map((e) => [kind, e.message, { text: formatCount(e.count), value: e.count, num: true }]));
  return section(
    'responses',
    'Responses and errors',
    [
      rows.length ? table('responses', ['Response', { label: 'Count', num: true }, { label: 'Share', num: true }], rows, (i) => (isError(i) ? 'fail' : undefined)) : html`<p class="empty">No responses were recorded.</p>`,
      samples.length ? html`<h3>Error messages</h3>${table('error-samples', ['Kind', 'Message', { label: 'Count', num: true }], samples)}` : '',
    ],
  );
}

function clientsSection(r: SmpResultFile): Html {
  const perUrl = r.stats.per_url ?? {};
  const urlRows = Object.entries(perUrl).map(([url, n]) => [{ text: html`<code>${url}</code>`, value: url }, { text: formatCount(n), value: n, num: true }]);
  const clientRows = r.test.clients.map((c, i) => [
    { text: String(i + 1), value: i + 1 },
    c.load_generator,
    { text: formatCount(c.connections), value: c.connections, num: true },
    { text: c.rps > 0 ? formatCount(c.rps) : 'closed loop', value: c.rps, num: true },
    { text: html`${c.endpoint_urls.map((u) => html`<code>${u}</code><br>`)}`, value: c.endpoint_urls.join(' ') },
    { text: Object.keys(c.headers).length ? html`${Object.entries(c.headers).map(([k, v]) => html`<code>${k}: ${v}</code><br>`)}` : '–', value: Object.keys(c.headers).length },
    { text: c.body_bytes > 0 ? `${formatCount(c.body_bytes)} B${c.content_type ? ` ${c.content_type}` : ''}` : '–', value: c.body_bytes, num: true },
  ]);
  return section('clients', 'Clients and URLs', [
    table('clients', ['#', 'Generator', { label: 'Connections', num: true }, { label: 'Rate (req/s)', num: true }, 'URLs', 'Headers', { label: 'Body', num: true }], clientRows),
    urlRows.length ? html`<h3>Requests per URL</h3>${table('urls', ['URL', { label: 'Requests', num: true }], urlRows)}` : '',
  ]);
}

function profileSection(r: SmpResultFile): Html {
  const labels = Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
  const node = r.env?.nodes?.map((n) => [n.type, n.cores ? `${n.cores} cores` : '', n.mem_mb ? `${formatCount(n.mem_mb)} MB` : ''].filter(Boolean).join(' ')).join('; ');
  return section('profile', 'The profile as run', [
    facts([
      ['Test', r.test.name],
      ['Duration', r.test.duration],
      ['SMP version', r.smp_version],
      ['Test id', r.test_id ?? ''],
      ['Result id', r.id],
      ['Mesh', `${r.stats.mesh_name} (SMP type ${r.mesh.type})${r.mesh.version ? ` ${r.mesh.version}` : ''}`],
      ['Kubernetes', r.env?.kubernetes_version ?? ''],
      ['Nodes', node ?? ''],
      ['Labels', labels],
      ['Started', r.start_time],
      ['Ended', r.end_time],
      ['Details', r.details_uri ? html`<a href="${r.details_uri}">${r.details_uri}</a>` : ''],
    ]),
    html`<details><summary>The test section of smp-result.json</summary><pre>${JSON.stringify(r.test, null, 2)}</pre></details>`,
  ]);
}

export function renderSmpPart(r: SmpResultFile, options: SmpPageOptions = {}): ReportPart {
  const thresholds = options.thresholds ?? [];
  const v = verdict(r, thresholds);
  const timeline = r.stats.timeline;
  const ds = downsamplingOf(timeline.length);
  const charts: ChartSpec[] = [];
  const body: Array<Html | string> = [headlineFigures(r), ...warnings(r, thresholds)];
  if (thresholds.length > 0) body.push(section('thresholds', 'Thresholds', thresholdTable(thresholds)));
  if (options.deltas) body.push(deltasTable(options.deltas));
  if (timeline.length > 0) {
    charts.push(latencyTimeline(timeline, ds), rateTimeline(r, ds));
    const note = ds ? ds.rule : 'One point per second.';
    body.push(
      section('over-time', 'Over time', [
        chartBox('latency-timeline', 'Latency per second (ms): corrected solid, uncorrected dashed', note),
        chartBox('rate-timeline', r.stats.requested_qps > 0 ? 'Achieved against requested rate (requests/s), errors/s on the right' : 'Achieved rate (requests/s), errors/s on the right', note),
      ]),
    );
  } else {
    body.push(section('over-time', 'Over time', html`<p class="empty">No per-second figures were recorded.</p>`));
  }
  const hasLatency = r.stats.histogram.buckets.length > 0;
  if (hasLatency) charts.push(histogramChart(r), percentileChart(r));
  body.push(
    section(
      'distribution',
      'Latency distribution',
      hasLatency
        ? html`<div class="split">${chartBox('latency-histogram', 'Requests per latency bucket (corrected, log scale)', 'Buckets are about 25% wide (10 per decade), labelled by their upper edge.')}${chartBox('latency-percentiles', 'Latency by percentile (ms, log scales)', 'Corrected solid, uncorrected dashed: the gap is the time requests waited to be sent.')}</div><div class="narrow">${percentileTable(r)}</div>`
        : html`<p class="empty">No latencies were recorded: no request got a response.</p>${percentileTable(r)}`,
    ),
  );
  body.push(responsesSection(r), clientsSection(r), profileSection(r));
  return {
    kind: 'smp',
    title: `SMP performance: ${r.test.name}`,
    status: { tone: v.tone, label: v.label, detail: v.detail },
    subtitle: [`mesh ${r.stats.mesh_name}${r.mesh.version ? ` ${r.mesh.version}` : ''}`, `${r.stats.load_generator} load generator`, `started ${r.start_time}`],
    body: html`${body}`,
    charts,
  };
}
