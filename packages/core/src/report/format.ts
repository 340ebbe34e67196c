/**
 * Number and text formatting shared by the markdown summary and the stdout table, so both print
 * the same figure the same way.
 */

/** Strips trailing zeros: 12.30 → "12.3", 250.000 → "250". */
export function formatNumber(value: number, decimals = 2): string {
  if (!Number.isFinite(value)) return '–';
  return String(Number(value.toFixed(decimals)));
}

/** Latency in ms, to µs precision for small values and fewer digits for large ones; `n/a` when there is none. */
export function formatMs(ms: number | null, lowerBound = false): string {
  if (ms === null) return 'n/a';
  const decimals = ms >= 1000 ? 0 : ms >= 100 ? 1 : ms >= 10 ? 2 : 3;
  return `${lowerBound ? '≥' : ''}${formatNumber(ms, decimals)}`;
}

/** `1 connection`, `2 connections`, with thousands separators. */
export function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** Integer with thousands separators (en-US, so logs read the same on every machine). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A fraction as a percentage. Rounding never turns a non-zero rate into "0%" or a partial one
 * into "100%": 3 errors in a million print as "<0.01%", 999,999 of a million as ">99.9%".
 */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (p >= 100) return `${formatNumber(p, 1)}%`;
  const text = p >= 10 ? formatNumber(p, 1) : formatNumber(p, 2);
  if (Number(text) === 0) return '<0.01%';
  if (Number(text) >= 100) return '>99.9%';
  return `${text}%`;
}

/**
 * Escapes text for inline markdown and table cells: the ASCII punctuation that can start inline
 * markup mid-line (emphasis, code, links, HTML, entities, strikethrough, GitHub's $math$) is
 * backslash-escaped, as CommonMark allows; `|` cannot end a cell; newlines become spaces because a
 * table row is one line. Text goes mid-line only (after `## `, inside cells), so block markers
 * such as `#`, `+` and `1.` need no escaping.
 */
export function escapeMd(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_[\]<>|~&$]/g, (c) => `\\${c}`);
}
