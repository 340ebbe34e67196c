import type { SmpResult } from '../smp/result.js';
import { formatCount, formatMs, formatNumber, formatPercent } from './format.js';

/**
 * The result as a plain fixed-width table for stdout (terminal and CI log). No colours: logs are
 * read as text, and the figures, not the styling, carry the meaning.
 */

/** Pads columns to equal width; the first column is left-aligned, the others right-aligned (numbers). */
function alignColumns(rows: readonly string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    (indent + row.map((cell, i) => {
      const pad = ' '.repeat(widths[i]! - [...cell].length);
      return i === 0 ? cell + pad : pad + cell;
    }).join('  ')).trimEnd(),
  );
}

export function renderSmpTable(result: SmpResult): string {
  const s = result.stats;
  const c = result.latencies_ms;
  const u = s.uncorrected_latencies_ms;
  const lines: string[] = [];
  lines.push(`SMP result: ${result.test.name}${s.cancelled ? ' (CANCELLED: partial results)' : ''}`);
  lines.push(
    ...alignColumns([
      ['requests', formatCount(s.requests)],
      ['errors', `${formatCount(s.errors)} (${formatPercent(s.error_rate)})`],
      ['requested rate', s.requested_qps > 0 ? `${formatNumber(s.requested_qps, 1)}/s` : 'unthrottled'],
      ['achieved rate', `${formatNumber(result.actual_qps, 1)}/s`],
      ['duration', `${formatNumber(s.duration_s, 1)} s, ${formatCount(s.connections)} connections`],
      ...(s.late_sends > 0 ? [['late sends', formatCount(s.late_sends)]] : []),
    ]),
  );
  lines.push('');
  lines.push(
    ...alignColumns([
      ['latency (ms)', 'min', 'avg', 'p50', 'p90', 'p99', 'max'],
      ['corrected', formatMs(c.min), formatMs(c.average), formatMs(c.p50), formatMs(c.p90), formatMs(c.p99), formatMs(c.max)],
      ['uncorrected', '', '', formatMs(u.p50), formatMs(u.p90), formatMs(u.p99), formatMs(u.max)],
    ]),
  );
  const responses = [
    ...Object.entries(s.status_codes).sort(([a], [b]) => Number(a) - Number(b)),
    ...Object.entries(s.error_kinds).map(([k, n]): [string, number] => [k, n ?? 0]),
  ].filter(([, n]) => n > 0);
  if (responses.length > 0) {
    lines.push('');
    lines.push(...alignColumns([['responses', 'count', 'share'], ...responses.map(([k, n]) => [k, formatCount(n), formatPercent(s.requests > 0 ? n / s.requests : 0)])]));
  }
  return `${lines.join('\n')}\n`;
}
