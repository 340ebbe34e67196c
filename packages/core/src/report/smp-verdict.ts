import { formatCount, formatMs, formatNumber, formatPercent, plural } from './format.js';
import type { SmpResult } from '../smp/result.js';
import { ERROR_METRICS, thresholdFailureMessage, type ThresholdResult } from '../smp/thresholds.js';

/**
 * What a finished run means, beyond its thresholds (issue 11): a run in which no request
 * succeeded measured nothing and fails, with or without thresholds; errors that no threshold
 * covers pass with a warning; an achieved rate short of the requested one says what bounds it.
 * The terminal, summary.md, the annotations and the exit code all read these sentences.
 */
export interface RunVerdict {
  failureKind: 'none' | 'test' | 'cancelled';
  failureMessage?: string;
  /** Sentences for warning annotations (and stderr): errors no threshold covers, an unmet rate. */
  warnings: string[];
}

/** A cause: `refused ×180 (connect ECONNREFUSED 127.0.0.1:1)` or `HTTP 500 ×20`. */
interface Cause {
  label: string;
  count: number;
  messages: string[];
}

/** Each transport error kind that occurred, with its count and up to three distinct messages. */
export function errorKindsOf(result: SmpResult): Array<{ kind: string; count: number; samples: Array<{ message: string; count: number }> }> {
  const s = result.stats;
  return Object.entries(s.error_kinds)
    .filter((e): e is [string, number] => !!e[1])
    .map(([kind, count]) => ({ kind, count, samples: s.error_samples[kind as keyof typeof s.error_samples] ?? [] }));
}

function causesOf(result: SmpResult): Cause[] {
  const s = result.stats;
  const causes: Cause[] = errorKindsOf(result).map(({ kind, count, samples }) => ({
    label: kind,
    count,
    messages: samples.map((x) => (samples.length > 1 ? `${x.message} ×${formatCount(x.count)}` : x.message)),
  }));
  for (const [code, count] of Object.entries(s.status_codes)) {
    const status = Number(code);
    if (count > 0 && (status < 200 || status >= 400)) causes.push({ label: `HTTP ${code}`, count, messages: [] });
  }
  // Failures first, most frequent first; then what never completed (cut) or never left (unsent).
  causes.sort((a, b) => b.count - a.count);
  if (s.cut > 0) causes.push({ label: 'cut', count: s.cut, messages: [`still in flight ${formatNumber(s.grace_s, 1)} s after the load window`] });
  if (s.unsent > 0) causes.push({ label: 'unsent', count: s.unsent, messages: ['no connection was free to send them before the window ended'] });
  return causes;
}

/** The dominant failure causes, most frequent first: `refused ×180 (connect ECONNREFUSED …); HTTP 500 ×20`. */
export function describeCauses(result: SmpResult, limit = 4): string {
  const causes = causesOf(result).slice(0, limit);
  if (causes.length === 0) return 'no request was due';
  return causes.map((c) => `${c.label} ×${formatCount(c.count)}${c.messages.length ? ` (${c.messages.join('; ')})` : ''}`).join('; ');
}

/**
 * One sentence when requests were not sent or the achieved rate is under 95% of the requested
 * one: how many, and what bounds the rate (connections × the target's latency, and the
 * connections that would be needed). Undefined when the rate was met or nothing was requested.
 */
export function rateBoundNote(result: SmpResult): string | undefined {
  const s = result.stats;
  const short = s.requested_qps > 0 && result.actual_qps < 0.95 * s.requested_qps;
  if (s.unsent === 0 && !short) return undefined;
  const parts: string[] = [];
  if (s.unsent > 0) parts.push(`${formatCount(s.unsent)} of ${plural(s.intended, 'intended request')} (${formatPercent(s.unsent_rate ?? 0)}) were not sent`);
  else parts.push(`the achieved rate ${formatNumber(result.actual_qps, 1)}/s is under 95% of the ${formatNumber(s.requested_qps, 1)}/s requested`);
  const latencyMs = s.uncorrected_latencies_ms.average;
  if (latencyMs === null || latencyMs <= 0) {
    parts.push('no request got a response, so the target, not the connections, bounds the rate');
  } else {
    const capacity = (s.connections * 1000) / latencyMs;
    const needed = s.requested_qps > 0 ? Math.ceil((s.requested_qps * latencyMs) / 1000) : undefined;
    let bound = `${plural(s.connections, 'connection')} × ${formatMs(latencyMs)} ms per response allow at most about ${formatNumber(capacity, 0)} requests/s`;
    if (needed !== undefined && needed > s.connections) bound += `; ${formatCount(needed)} connections would be needed for ${formatNumber(s.requested_qps, 1)}/s`;
    else bound += '; the target or this machine, not the connection count, held the rate back';
    parts.push(bound);
  }
  return `${parts.join(': ')}.`;
}

/** Latency figures are lower bounds when unsent or cut requests are in the corrected histogram. */
export function lowerBoundNote(result: SmpResult): string | undefined {
  const s = result.stats;
  if (!s.latencies_lower_bound) return undefined;
  return `Latencies are lower bounds (≥): ${formatCount(s.unsent)} unsent and ${formatCount(s.cut)} cut requests count with the time they had waited when the run ended.`;
}

export function judgeRun(result: SmpResult, thresholds: readonly ThresholdResult[]): RunVerdict {
  const s = result.stats;
  if (s.cancelled) return { failureKind: 'cancelled', failureMessage: 'cancelled: partial results were written', warnings: [] };
  const warnings: string[] = [];
  const problems: string[] = [];
  if (s.ok === 0) {
    problems.push(`no request succeeded (${formatCount(s.failed)} failed, ${formatCount(s.cut)} cut, ${formatCount(s.unsent)} unsent of ${formatCount(s.intended)} intended): ${describeCauses(result)}`);
  } else if (s.failed > 0 && !thresholds.some((t) => ERROR_METRICS.has(t.metric))) {
    warnings.push(`${formatCount(s.failed)} of ${plural(s.requests, 'request')} failed (error rate ${formatPercent(s.error_rate)}), and no threshold covers errors (add one such as error_rate<1%): ${describeCauses(result)}`);
  }
  const missed = thresholdFailureMessage(thresholds);
  if (missed) problems.push(missed);
  const rate = rateBoundNote(result);
  if (rate && s.ok > 0) warnings.push(rate);
  return problems.length ? { failureKind: 'test', failureMessage: problems.join('; '), warnings } : { failureKind: 'none', warnings };
}
