import { inputError } from './errors.js';

// Go's time.ParseDuration grammar, as SMP profiles use it (meshery/schemas' pattern).
const COMPONENT = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/;
const UNIT_NS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, μs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** Go's largest time.Duration, 2^63−1 ns: what ParseDuration accepts, and so what an SMP profile can say. */
const GO_MAX_NS = (1n << 63n) - 1n;
export const GO_MAX_DURATION = '2562047h47m16.854775807s';

/**
 * Parses a Go duration exactly, in nanoseconds, the way Go's time.ParseDuration does (integer
 * arithmetic, fractions truncated to the nanosecond); `overflow` beyond Go's maximum.
 */
export function parseGoDurationNs(text: string): bigint | 'overflow' | undefined {
  let rest = text.trim();
  if (rest === '') return undefined;
  if (rest === '0') return 0n;
  let total = 0n;
  while (rest.length > 0) {
    const m = COMPONENT.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNIT_NS[m[3]!]!;
    const whole = BigInt(m[1] || '0');
    const fraction = m[2] ?? '';
    const scaled = fraction === '' ? 0n : (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += whole * unit + scaled;
    if (total > GO_MAX_NS) return 'overflow';
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Parses a Go duration (`30s`, `1m30s`, `250ms`) into milliseconds, or returns undefined. */
export function parseGoDuration(text: string): number | undefined {
  const ns = parseGoDurationNs(text);
  return typeof ns === 'bigint' ? Number(ns) / 1e6 : undefined;
}

/**
 * What is wrong with a duration given for a run or a timeout, or undefined. The run's clock has
 * millisecond resolution, so anything shorter than 1ms cannot be timed; Go refuses anything longer
 * than its maximum, so an SMP profile saying more could not be read by Meshery either.
 */
export function durationProblem(text: string): string | undefined {
  const ns = parseGoDurationNs(text);
  if (ns === undefined) return `"${text}" is not a Go duration; write it like 30s, 1m30s or 250ms`;
  if (ns === 'overflow') return `"${text}" is longer than Go's maximum duration ${GO_MAX_DURATION}`;
  if (ns === 0n) return `"${text}" must be longer than zero, e.g. 30s`;
  if (ns < 1_000_000n) return `"${text}" is shorter than 1ms, the shortest time meshspec can measure`;
  return undefined;
}

/** Like parseGoDuration, but a bad value is an input error that names where it came from. */
export function requireDuration(text: string, where: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined) {
    throw inputError(`${where}: "${text}" is not a duration; use Go syntax such as 30s, 1m30s or 250ms`);
  }
  return ms;
}

/** A run length or timeout: a Go duration of at least 1ms and at most Go's maximum. */
export function requirePositiveDuration(text: string, where: string): number {
  const why = durationProblem(text);
  if (why) throw inputError(`${where}: ${why}`);
  return parseGoDuration(text)!;
}

/** Formats milliseconds as a Go duration, the way SMP and Fortio print them (`1m30s`, `250ms`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${+ms.toFixed(3)}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = +s.toFixed(3);
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec || !(h || m) ? `${sec}s` : ''}`;
}
