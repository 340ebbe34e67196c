import { inputError } from '../errors.js';
import { latencySamples, type SmpResult } from './result.js';

/**
 * Pass/fail criteria on an SMP result: `p99<250ms`, `error_rate<1%`, `actual_qps>=950`.
 * They come from `--threshold` (CLI, repeatable) or the action's `thresholds` input (one per line)
 * and read the corrected latencies in smp-result.json, so what fails a build is what the file says.
 *
 * `actual_qps` keeps its SMP/Fortio meaning, every completed attempt per second, failed ones
 * included; `success_qps` counts only 2xx/3xx responses. `unsent_rate` and `achieved_ratio` say
 * how much of the requested load was really sent.
 */

export type ThresholdMetric =
  | 'p50' | 'p90' | 'p99' | 'min' | 'max' | 'average'
  | 'error_rate' | 'unsent_rate' | 'achieved_ratio'
  | 'actual_qps' | 'success_qps'
  | 'requests' | 'errors';
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==';
/** The unit the limit was written in; `actual` is reported in the same unit. */
export type ThresholdUnit = 'ms' | 's' | 'us' | '%' | 'fraction' | 'rps' | 'count';

export interface Threshold {
  /** As written, trimmed. */
  expression: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  limit: number;
  unit: ThresholdUnit;
  /** Where it came from, for error messages: `--threshold`, `thresholds input line 3`. */
  source: string;
}

export interface ThresholdResult {
  expression: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  limit: number;
  unit: ThresholdUnit;
  /** The measured figure in the threshold's unit; null when it cannot be known (no requests). */
  actual: number | null;
  passed: boolean;
  /** `p99<250ms missed: p99 was 312.4 ms` */
  message: string;
}

export const THRESHOLD_GRAMMAR =
  'A threshold is <metric><operator><number>[unit], e.g. p99<250ms, p50<=0.2s, error_rate<1%, achieved_ratio>=0.95, success_qps>=950. ' +
  'Metrics: p50, p90, p99, min, max, average (or avg) in ms unless a unit ms, s or us is given; ' +
  'error_rate, unsent_rate and achieved_ratio as a fraction (0.01) or a percentage (1%); ' +
  'actual_qps (every completed request per second, failed ones too, as SMP and Fortio count it) and success_qps (2xx/3xx only); ' +
  'requests; errors. Operators: < <= > >= ==.';

const LATENCY = new Set<ThresholdMetric>(['p50', 'p90', 'p99', 'min', 'max', 'average']);
const FRACTIONS = new Set<ThresholdMetric>(['error_rate', 'unsent_rate', 'achieved_ratio']);
const RATES = new Set<ThresholdMetric>(['actual_qps', 'success_qps']);
/** Metrics a threshold on errors covers: with none of them, a run with errors passes with a warning. */
export const ERROR_METRICS: ReadonlySet<ThresholdMetric> = new Set(['error_rate', 'errors', 'success_qps']);

const METRIC_ALIASES: Record<string, ThresholdMetric> = {
  p50: 'p50', median: 'p50', p90: 'p90', p99: 'p99', min: 'min', max: 'max',
  average: 'average', avg: 'average', mean: 'average',
  error_rate: 'error_rate', unsent_rate: 'unsent_rate', achieved_ratio: 'achieved_ratio',
  actual_qps: 'actual_qps', qps: 'actual_qps', rps: 'actual_qps', success_qps: 'success_qps',
  requests: 'requests', errors: 'errors',
};

// metric, operator, number, unit; whitespace allowed between the parts.
const SHAPE = /^([a-z_0-9]+)\s*(<=|>=|==|<|>)\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-zµ%/]*)$/i;

/** Parses one expression; a bad one is an input error naming it, its source and the grammar. */
export function parseThreshold(expression: string, source = '--threshold'): Threshold {
  const expr = expression.trim();
  const fail = (why: string) => inputError(`${source}: bad threshold "${expr}": ${why}. ${THRESHOLD_GRAMMAR}`);
  const m = SHAPE.exec(expr);
  if (!m) {
    if (/^[a-z_0-9]+\s*=(?!=)/i.test(expr)) throw fail('use == for equality');
    throw fail('it does not have the form <metric><operator><number>[unit]');
  }
  const [, rawMetric, op, rawNumber, rawUnit] = m as unknown as [string, string, ThresholdOp, string, string];
  const metric = METRIC_ALIASES[rawMetric.toLowerCase()];
  if (!metric) throw fail(`unknown metric "${rawMetric}"`);
  const limit = Number(rawNumber);
  const unitText = rawUnit.toLowerCase();
  let unit: ThresholdUnit;
  if (LATENCY.has(metric)) {
    if (unitText === '' || unitText === 'ms') unit = 'ms';
    else if (unitText === 's') unit = 's';
    else if (unitText === 'us' || unitText === 'µs') unit = 'us';
    else throw fail(`"${rawUnit}" is not a latency unit; use ms (the default), s or us`);
  } else if (FRACTIONS.has(metric)) {
    if (unitText === '%') {
      if (limit > 100) throw fail(`${metric} is at most 100%`);
      unit = '%';
    } else if (unitText === '') {
      // error_rate<1 reads as "below 1%" but as a fraction means "below 100%": it would pass
      // unless every request failed. error_rate<5 almost certainly means 5% too.
      if (limit === 1 && metric !== 'achieved_ratio') throw fail(`${metric}<1 would mean 100%; write 1% or 0.01`);
      if (limit > 1) throw fail(`${metric} without % is a fraction between 0 and 1; did you mean ${rawNumber}%?`);
      unit = 'fraction';
    } else throw fail(`"${rawUnit}" is not ${metric === 'error_rate' ? 'an error-rate unit' : `a unit of ${metric}`}; write a fraction (0.01) or a percentage (1%)`);
  } else if (RATES.has(metric)) {
    if (unitText === '' || unitText === 'rps' || unitText === 'qps' || unitText === '/s') unit = 'rps';
    else throw fail(`"${rawUnit}" is not a rate unit; ${metric} is in requests per second, written without a unit`);
  } else {
    if (unitText !== '') throw fail(`${metric} is a count and takes no unit`);
    unit = 'count';
  }
  return { expression: expr, metric, op, limit, unit, source };
}

/**
 * Parses every expression and reports all bad ones at once (one line each), so a user fixes them
 * in one go. `sources[i]` names where `expressions[i]` came from.
 */
function parseAll(items: Array<{ text: string; source: string }>): Threshold[] {
  const out: Threshold[] = [];
  const problems: string[] = [];
  for (const { text, source } of items) {
    try {
      out.push(parseThreshold(text, source));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length === 1) throw inputError(problems[0]!);
  if (problems.length > 1) {
    throw inputError(`${problems.length} thresholds are invalid. ${THRESHOLD_GRAMMAR}`, {
      details: problems.map((p) => p.replace(` ${THRESHOLD_GRAMMAR}`, '')),
    });
  }
  return out;
}

/** `--threshold` values, one expression each. */
export function parseThresholdFlags(values: readonly string[], flag = '--threshold'): Threshold[] {
  return parseAll(values.map((text) => ({ text, source: flag })));
}

/** The action's multi-line input: one expression per line; blank lines and `#` comments are skipped. */
export function parseThresholdsInput(text: string, inputName = 'thresholds'): Threshold[] {
  const items: Array<{ text: string; source: string }> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    items.push({ text: t, source: `${inputName} input line ${i + 1}` });
  });
  return parseAll(items);
}

const UNIT_LABEL: Record<ThresholdUnit, string> = { ms: ' ms', s: ' s', us: ' µs', '%': '%', fraction: '', rps: ' requests/s', count: '' };
const UNIT_DECIMALS: Record<ThresholdUnit, number> = { ms: 3, s: 6, us: 0, '%': 3, fraction: 6, rps: 2, count: 0 };

/** A figure in a threshold's unit, to the precision the measurement has, without trailing zeros. */
export function formatFigure(value: number, unit: ThresholdUnit): string {
  return `${Number(value.toFixed(UNIT_DECIMALS[unit]))}${UNIT_LABEL[unit]}`;
}

/** The result's figure for a metric, converted into the threshold's unit. */
function actualOf(result: SmpResult, t: Threshold): number | null {
  const s = result.stats;
  if (LATENCY.has(t.metric)) {
    if (latencySamples(result) === 0) return null;
    const ms = result.latencies_ms[t.metric as keyof SmpResult['latencies_ms']];
    if (ms === null) return null;
    return t.unit === 's' ? ms / 1000 : t.unit === 'us' ? ms * 1000 : ms;
  }
  const fraction = (v: number | null) => (v === null ? null : t.unit === '%' ? v * 100 : v);
  switch (t.metric) {
    case 'error_rate':
      return s.requests === 0 ? null : fraction(s.error_rate);
    case 'unsent_rate':
      return fraction(s.unsent_rate);
    case 'achieved_ratio':
      return fraction(s.achieved_ratio);
    case 'actual_qps':
      return result.actual_qps;
    case 'success_qps':
      return s.success_qps;
    case 'requests':
      return s.requests;
    default:
      return s.errors;
  }
}

function compare(actual: number, op: ThresholdOp, limit: number, unit: ThresholdUnit): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    default:
      // Unit conversions (ms → s, fraction → %) introduce float noise; counts compare exactly.
      if (unit === 'count') return actual === limit;
      return Math.abs(actual - limit) <= 1e-9 * Math.max(1, Math.abs(limit));
  }
}

export function evaluateThresholds(result: SmpResult, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = actualOf(result, t);
    const base = { expression: t.expression, metric: t.metric, op: t.op, limit: t.limit, unit: t.unit };
    if (actual === null) {
      // A run where no request got a response has no latency (nor, without requests, an error
      // rate): passing `p99<250ms` on zeros would hide an outage.
      const why = !LATENCY.has(t.metric) && result.stats.intended === 0 ? 'no request was due' : result.stats.requests === 0 ? 'no requests completed' : 'no request got a response';
      return { ...base, actual, passed: false, message: `${t.expression} missed: ${why}, so ${t.metric} is unknown` };
    }
    const passed = compare(actual, t.op, t.limit, t.unit);
    return { ...base, actual, passed, message: `${t.expression} ${passed ? 'passed' : 'missed'}: ${t.metric} was ${formatFigure(actual, t.unit)}` };
  });
}

/** One line for logs and the error: `2 of 3 thresholds missed: <message>; <message>`, or undefined if all passed. */
export function thresholdFailureMessage(results: readonly ThresholdResult[]): string | undefined {
  const missed = results.filter((r) => !r.passed);
  if (missed.length === 0) return undefined;
  const head = `${missed.length} of ${results.length} threshold${results.length === 1 ? '' : 's'} missed`;
  return `${head}: ${missed.map((r) => r.message).join('; ')}`;
}
