import { inputError } from './errors.js';

// Go's time.ParseDuration grammar, as SMP profiles use it (meshery/schemas' pattern).
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration (`30s`, `1m30s`, `250ms`) into milliseconds, or returns undefined. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text.trim();
  if (rest === '' ) return undefined;
  if (rest === '0') return 0;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Like parseGoDuration, but a bad value is an input error that names where it came from. */
export function requireDuration(text: string, where: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined) {
    throw inputError(`${where}: "${text}" is not a duration; use Go syntax such as 30s, 1m30s or 250ms`);
  }
  return ms;
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
