import { existsSync, readFileSync } from 'node:fs';
import { parseGoDuration } from '../duration.js';
import { inputError } from '../errors.js';
import { FIGURE_UNIT, GATED_METRICS, figureOf, type FigureUnit, type GatedMetric } from './figures.js';
import type { Spread } from './repeats.js';
import type { SmpResult } from './result.js';

/**
 * The regression gate (issue 14): this run against a baseline smp-result.json, under rules such
 * as `p99:+10%` or `error_rate:+0.5pp`. Pure: reading the baseline file is the one side effect,
 * and fetching one from a workflow artifact lives in github/baseline-artifact.ts.
 *
 * BaselineDeltas is the one structure every renderer (summary, PR comment, report.html, the
 * action's `deltas` output) takes.
 */

export const REGRESSION_GRAMMAR =
  'A regression rule is <metric>:<sign><number><unit>, e.g. p99:+10%, actual_qps:-5%, error_rate:+0.5pp, p50:+2ms. ' +
  'Metrics: p50, p90, p99, p99.9, actual_qps, success_qps, error_rate. ' +
  'Sign: + bounds a rise, - bounds a fall. ' +
  'Unit: % relative to the baseline (any metric); ms absolute (latencies); pp percentage points (error_rate).';

export interface RegressionRule {
  /** As written, trimmed. */
  expression: string;
  metric: GatedMetric;
  /** `rise` (+): the figure may go up by at most `amount`; `fall` (-): down by at most `amount`. */
  direction: 'rise' | 'fall';
  amount: number;
  unit: '%' | 'ms' | 'pp';
  /** `--regression`, `regression input line 2`. */
  source: string;
}

const SHAPE = /^([a-z_0-9.]+)\s*:\s*([+-])\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-z%]*)$/i;

export function parseRegressionRule(expression: string, source = '--regression'): RegressionRule {
  const expr = expression.trim();
  const fail = (why: string) => inputError(`${source}: bad regression rule "${expr}": ${why}. ${REGRESSION_GRAMMAR}`);
  const m = SHAPE.exec(expr);
  if (!m) throw fail('it does not have the form <metric>:<sign><number><unit>');
  const [, rawMetric, sign, rawNumber, rawUnit] = m as unknown as [string, string, '+' | '-', string, string];
  const metric = GATED_METRICS.find((g) => g === rawMetric.toLowerCase());
  if (!metric) throw fail(`unknown metric "${rawMetric}"`);
  const unit = rawUnit.toLowerCase();
  if (unit === '') throw fail('the unit is missing');
  if (unit !== '%' && unit !== 'ms' && unit !== 'pp') throw fail(`unknown unit "${rawUnit}"`);
  if (unit === 'ms' && FIGURE_UNIT[metric] !== 'ms') throw fail(`ms applies to latencies only; bound ${metric} with %${metric === 'error_rate' ? ' or pp' : ''}`);
  if (unit === 'pp' && metric !== 'error_rate') throw fail(`pp (percentage points) applies to error_rate only; bound ${metric} with %${FIGURE_UNIT[metric] === 'ms' ? ' or ms' : ''}`);
  return { expression: expr, metric, direction: sign === '+' ? 'rise' : 'fall', amount: Number(rawNumber), unit, source };
}

/** Parses every rule and reports all bad ones at once, with the grammar once. */
function parseAll(items: Array<{ text: string; source: string }>): RegressionRule[] {
  const out: RegressionRule[] = [];
  const problems: string[] = [];
  for (const { text, source } of items) {
    try {
      out.push(parseRegressionRule(text, source));
    } catch (e) {
      problems.push((e as Error).message.replace(` ${REGRESSION_GRAMMAR}`, ''));
    }
  }
  if (problems.length === 1) throw inputError(`${problems[0]!} ${REGRESSION_GRAMMAR}`);
  if (problems.length > 1) throw inputError(`${problems.length} regression rules are invalid. ${REGRESSION_GRAMMAR}`, { details: problems });
  return out;
}

export function parseRegressionFlags(values: readonly string[], flag = '--regression'): RegressionRule[] {
  return parseAll(values.map((text) => ({ text, source: flag })));
}

/** One rule per line; blank lines and `#` comments are skipped. */
export function parseRegressionInput(text: string, inputName = 'regression'): RegressionRule[] {
  const items: Array<{ text: string; source: string }> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t !== '' && !t.startsWith('#')) items.push({ text: t, source: `${inputName} input line ${i + 1}` });
  });
  return parseAll(items);
}

// ---------------------------------------------------------------------------------------------
// The baseline file

/** Where a baseline came from: the `baseline_source` output. */
export type BaselineSource = 'file' | 'artifact' | 'none';

export interface Baseline {
  source: Exclude<BaselineSource, 'none'>;
  /** What a reader can find it by: the file path, or `artifact "x" of run 123 (url)`. */
  location: string;
  result: SmpResult;
}

/** The fields the gate reads; a file without them is not a baseline we can compare against. */
const REQUIRED_PATHS: Array<[string, (r: Record<string, any>) => boolean]> = [
  ['$.latencies_ms', (r) => typeof r.latencies_ms === 'object' && r.latencies_ms !== null && ['p50', 'p90', 'p99'].every((k) => typeof r.latencies_ms[k] === 'number')],
  ['$.actual_qps', (r) => typeof r.actual_qps === 'number'],
  ['$.stats', (r) => typeof r.stats === 'object' && r.stats !== null && ['requests', 'errors', 'error_rate', 'duration_s'].every((k) => typeof r.stats[k] === 'number')],
  ['$.test.clients', (r) => Array.isArray(r.test?.clients) && r.test.clients.length > 0],
  ['$.test.duration', (r) => typeof r.test?.duration === 'string'],
];

/** Parses a baseline's text; anything that is not an smp-result.json is exit 2, naming the file and field. */
export function parseBaselineText(text: string, location: string): SmpResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw inputError(`baseline ${location}: not JSON (${(e as Error).message}); give the smp-result.json of an earlier run`, { file: location });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw inputError(`baseline ${location}: $: not an SMP result object; give the smp-result.json of an earlier run`, { file: location });
  const missing = REQUIRED_PATHS.filter(([, ok]) => !ok(doc as Record<string, any>)).map(([p]) => p);
  if (missing.length) throw inputError(`baseline ${location}: not an smp-result.json written by meshspec (missing or wrong: ${missing.join(', ')}); give the smp-result.json of an earlier run`, { file: location });
  return doc as SmpResult;
}

/** A baseline file; undefined when it does not exist (a first run), which the caller reports as a notice. */
export function readBaselineFile(path: string): Baseline | undefined {
  if (!existsSync(path)) return undefined;
  return { source: 'file', location: path, result: parseBaselineText(readFileSync(path, 'utf8'), path) };
}

/** What the gate runs with: the baseline (if one was found), where it came from, the rules, and the notice to show. */
export interface GateSettings {
  baseline?: Baseline;
  source: BaselineSource;
  rules: RegressionRule[];
  /** Set when a baseline was asked for and none exists: never a failure, always said. */
  notice?: string;
}

/**
 * Rules need a baseline to mean anything, so rules without one are exit 2. A baseline file that
 * does not exist yet (the first run) is a notice naming what was looked for.
 */
export function gateFromFile(path: string | undefined, shownAs: string | undefined, rules: RegressionRule[], names: { baseline: string; regression: string }): GateSettings {
  if (!path) {
    if (rules.length) throw inputError(`${names.regression} compares with a baseline: give ${names.baseline} (the smp-result.json of an earlier run of this profile)`);
    return { source: 'none', rules };
  }
  const baseline = readBaselineFile(path);
  if (baseline) return { baseline: { ...baseline, location: shownAs ?? path }, source: 'file', rules };
  return {
    source: 'none',
    rules,
    notice: `no baseline: ${shownAs ?? path} (${names.baseline}) does not exist, so this run is not compared${rules.length ? ` and the ${rules.length} regression rule${rules.length === 1 ? ' is' : 's are'} not checked` : ''}; this run's smp-result.json can be the next run's baseline`,
  };
}

// ---------------------------------------------------------------------------------------------
// Same profile?

type ResultClient = SmpResult['test']['clients'][number];

function describeClient(c: ResultClient): Record<string, string> {
  return {
    endpoints: [...c.endpoint_urls].sort().join(', '),
    rate: c.rps > 0 ? `${c.rps} rps` : 'closed loop',
    connections: String(c.connections),
    'load source': `${c.internal ? 'in-cluster' : 'runner'} ${c.load_generator}, ${c.body_bytes > 0 ? 'POST' : 'GET'}`,
  };
}

/**
 * What makes the two runs different tests: a comparison across them would measure the change of
 * profile, not of the system. Empty when they are the same test.
 */
export function profileDifferences(current: Pick<SmpResult, 'test'>, baseline: Pick<SmpResult, 'test'>): string[] {
  const out: string[] = [];
  const d = (r: Pick<SmpResult, 'test'>) => parseGoDuration(r.test.duration) ?? r.test.duration;
  if (d(current) !== d(baseline)) out.push(`duration: ${baseline.test.duration} in the baseline, ${current.test.duration} now`);
  const [a, b] = [baseline.test.clients, current.test.clients];
  if (a.length !== b.length) {
    out.push(`clients: ${a.length} in the baseline, ${b.length} now`);
    return out;
  }
  a.forEach((client, i) => {
    const [was, now] = [describeClient(client), describeClient(b[i]!)];
    const which = a.length > 1 ? `client ${i + 1} ` : '';
    for (const key of Object.keys(was)) if (was[key] !== now[key]) out.push(`${which}${key}: ${was[key]} in the baseline, ${now[key]} now`);
  });
  return out;
}

/** Refuses (exit 2) a baseline of another test, naming every difference. */
export function assertSameProfile(current: Pick<SmpResult, 'test'>, baseline: Baseline): void {
  const diff = profileDifferences(current, baseline.result);
  if (diff.length === 0) return;
  throw inputError(
    `baseline ${baseline.location} is from a different profile, so it cannot gate this run: ${diff.join('; ')}. Compare runs of the same profile, or start a new baseline.`,
    { details: diff },
  );
}

// ---------------------------------------------------------------------------------------------
// Deltas and the gate

export interface MetricDelta {
  metric: GatedMetric;
  unit: FigureUnit;
  baseline: number | null;
  current: number | null;
  /** current − baseline, in `unit` (percentage points for error_rate). */
  change: number | null;
  /** The change relative to the baseline, in percent; null when the baseline is 0 or unknown. */
  change_pct: number | null;
  /** min–max over this run's repeats; null for a single run. */
  current_spread: Spread | null;
  baseline_spread: Spread | null;
  /** The two figures are within the repeats' spread of each other: the change may be noise. */
  within_spread: boolean;
}

export interface RegressionCheck {
  rule: string;
  metric: GatedMetric;
  passed: boolean;
  /** The bound the rule sets, in the metric's unit; null when either figure is unknown. */
  limit: number | null;
  within_spread: boolean;
  /** `p99:+10% exceeded: p99 rose from 1.2 ms to 12 ms (+900%), above the 1.32 ms allowed` */
  message: string;
}

/**
 * The comparison of one run with its baseline: what issue 13's report.html, the summary, the PR
 * comment and the `deltas` output render.
 */
export interface BaselineDeltas {
  baseline_source: Exclude<BaselineSource, 'none'>;
  baseline: { location: string; id: string; start_time: string; repeats: number };
  current: { id: string; start_time: string; repeats: number };
  deltas: MetricDelta[];
  checks: RegressionCheck[];
  /** True when any check failed. */
  regression: boolean;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

export function formatGatedFigure(value: number | null, unit: FigureUnit): string {
  if (value === null) return 'unknown';
  const v = round3(value);
  return unit === 'ms' ? `${v} ms` : unit === 'rps' ? `${v}/s` : `${v}%`;
}

export function formatDeltaChange(d: Pick<MetricDelta, 'change' | 'change_pct' | 'unit'>): string {
  if (d.change === null) return 'n/a';
  const sign = d.change > 0 ? '+' : d.change < 0 ? '−' : '±';
  const abs = Math.abs(round3(d.change));
  const absText = d.unit === 'ms' ? `${abs} ms` : d.unit === 'rps' ? `${abs}/s` : `${abs} pp`;
  return d.change_pct === null || d.unit === '%' ? `${sign}${absText}` : `${sign}${abs === 0 ? 0 : Math.abs(round3(d.change_pct))}% (${sign}${absText})`;
}

function spreadOf(result: SmpResult, metric: GatedMetric): Spread | null {
  return result.stats.repeats?.spread?.[metric] ?? null;
}

function overlaps(a: Spread | null, av: number, b: Spread | null, bv: number): boolean {
  const ra = a ?? { min: av, max: av };
  const rb = b ?? { min: bv, max: bv };
  if (!a && !b) return false;
  return ra.min <= rb.max && rb.min <= ra.max;
}

function deltaOf(current: SmpResult, baseline: SmpResult, metric: GatedMetric): MetricDelta {
  const unit = FIGURE_UNIT[metric];
  const b = figureOf(baseline, metric);
  const c = figureOf(current, metric);
  const cs = spreadOf(current, metric);
  const bs = spreadOf(baseline, metric);
  const change = b !== null && c !== null ? round3(c - b) : null;
  return {
    metric,
    unit,
    baseline: b,
    current: c,
    change,
    change_pct: change !== null && b !== null && b !== 0 ? round3(((c! - b) / b) * 100) : null,
    current_spread: cs,
    baseline_spread: bs,
    within_spread: b !== null && c !== null && overlaps(cs, c, bs, b),
  };
}

function limitOf(rule: RegressionRule, base: number): number {
  const amount = rule.unit === '%' ? (Math.abs(base) * rule.amount) / 100 : rule.amount;
  return rule.direction === 'rise' ? base + amount : base - amount;
}

function checkRule(rule: RegressionRule, d: MetricDelta, repeats: number): RegressionCheck {
  const f = (v: number | null) => formatGatedFigure(v, d.unit);
  const base = { rule: rule.expression, metric: rule.metric, within_spread: d.within_spread };
  if (d.baseline === null) return { ...base, passed: true, limit: null, message: `${rule.expression} not checked: the baseline has no ${rule.metric} (no request got a response there)` };
  if (d.current === null) return { ...base, passed: false, limit: null, message: `${rule.expression} failed: ${rule.metric} is unknown in this run (no request got a response); the baseline had ${f(d.baseline)}` };
  const limit = round3(limitOf(rule, d.baseline));
  const passed = rule.direction === 'rise' ? d.current <= limit + 1e-9 : d.current >= limit - 1e-9;
  const bound = rule.direction === 'rise' ? `at most ${f(limit)} allowed` : `at least ${f(limit)} required`;
  const moved =
    d.current === d.baseline
      ? `${rule.metric} stayed at ${f(d.current)} (baseline and this run)`
      : `${rule.metric} ${d.current > d.baseline ? 'rose' : 'fell'} from ${f(d.baseline)} (baseline) to ${f(d.current)} (${formatDeltaChange(d)})`;
  let message = `${rule.expression} ${passed ? 'held' : 'exceeded'}: ${moved}, ${bound}`;
  if (repeats > 1) message += `; median of ${repeats} repeats`;
  if (d.within_spread && !passed) {
    const s = d.current_spread ?? d.baseline_spread!;
    message += `. The change is within the spread of the repeats (${f(s.min)}–${f(s.max)}), so it may be noise: raise repeat or widen the rule`;
  }
  if (rule.unit === '%' && d.baseline === 0 && !passed) message += `. The baseline was 0, so any ${rule.direction} exceeds a relative bound; use ${d.unit === '%' ? 'pp' : 'an absolute unit'}`;
  return { ...base, passed, limit, message };
}

/** Compares every gated figure, and checks each rule. The caller has checked the profiles match. */
export function compareWithBaseline(current: SmpResult, baseline: Baseline, rules: readonly RegressionRule[]): BaselineDeltas {
  const deltas = GATED_METRICS.map((m) => deltaOf(current, baseline.result, m));
  const repeats = current.stats.repeats?.count ?? 1;
  const checks = rules.map((r) => checkRule(r, deltas.find((d) => d.metric === r.metric)!, repeats));
  return {
    baseline_source: baseline.source,
    baseline: { location: baseline.location, id: baseline.result.id, start_time: baseline.result.start_time, repeats: baseline.result.stats.repeats?.count ?? 1 },
    current: { id: current.id, start_time: current.start_time, repeats },
    deltas,
    checks,
    regression: checks.some((c) => !c.passed),
  };
}

/** `2 regressions against the baseline: <message>; <message>`, or undefined. */
export function regressionFailureMessage(deltas: BaselineDeltas): string | undefined {
  const failed = deltas.checks.filter((c) => !c.passed);
  if (failed.length === 0) return undefined;
  return `${failed.length} regression${failed.length === 1 ? '' : 's'} against the baseline (${deltas.baseline.location}): ${failed.map((c) => c.message).join('; ')}`;
}
