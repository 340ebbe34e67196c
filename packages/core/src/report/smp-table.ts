import type { SmpResult } from '../smp/result.js';
import { lowerBoundNote, rateBoundNote } from './smp-verdict.js';
import { formatCount, formatMs, formatNumber, formatPercent, plural } from './format.js';

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
  const lb = s.latencies_lower_bound;
  const lines: string[] = [];
  lines.push(`SMP result: ${result.test.name}${s.cancelled ? ' (CANCELLED: partial results)' : ''}`);
  lines.push(
    ...alignColumns([
      ['intended', formatCount(s.intended)],
      ['sent', formatCount(s.sent)],
      ['not sent', `${formatCount(s.unsent)}${s.unsent > 0 ? ` (${formatPercent(s.unsent_rate ?? 0)})` : ''}`],
      ['succeeded (2xx/3xx)', formatCount(s.ok)],
      ['failed', `${formatCount(s.failed)} (error rate ${formatPercent(s.error_rate)})`],
      ['cut (in flight at the end)', formatCount(s.cut)],
      ['requested rate', s.requested_qps > 0 ? `${formatNumber(s.requested_qps, 1)}/s` : 'unthrottled'],
      ['achieved rate (actual_qps, all completed)', `${formatNumber(result.actual_qps, 1)}/s`],
      ['successful rate (success_qps)', `${formatNumber(s.success_qps, 1)}/s`],
      ['load window', `${formatNumber(s.duration_s, 1)} s, ${plural(s.connections, 'connection')}${s.grace_s > 0 ? ` (+${formatNumber(s.grace_s, 2)} s grace)` : ''}`],
      ...(s.late_sends > 0 ? [['late sends', formatCount(s.late_sends)]] : []),
    ]),
  );
  const note = rateBoundNote(result);
  if (note) lines.push(`  ${note}`);
  lines.push('');
  lines.push(
    ...alignColumns([
      ['latency (ms)', 'min', 'avg', 'p50', 'p90', 'p99', 'max'],
      [lb ? 'corrected (lower bounds)' : 'corrected', formatMs(c.min, lb), formatMs(c.average, lb), formatMs(c.p50, lb), formatMs(c.p90, lb), formatMs(c.p99, lb), formatMs(c.max, lb)],
      ['uncorrected', '', formatMs(u.average), formatMs(u.p50), formatMs(u.p90), formatMs(u.p99), formatMs(u.max)],
    ]),
  );
  const lower = lowerBoundNote(result);
  if (lower) lines.push(`  ${lower}`);
  const responses = [
    ...Object.entries(s.status_codes).sort(([a], [b]) => Number(a) - Number(b)),
    ...Object.entries(s.error_kinds).map(([k, n]): [string, number] => [k, n ?? 0]),
  ].filter(([, n]) => n > 0);
  if (responses.length > 0) {
    lines.push('');
    lines.push(...alignColumns([['responses', 'count', 'share'], ...responses.map(([k, n]) => [k, formatCount(n), formatPercent(s.requests > 0 ? n / s.requests : 0)])]));
  }
  const causes = Object.entries(s.error_samples).flatMap(([kind, list]) => (list ?? []).map((x) => `  ${kind}: ${x.message} (${formatCount(x.count)})`));
  if (causes.length > 0) lines.push('', '  error causes:', ...causes.map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}
