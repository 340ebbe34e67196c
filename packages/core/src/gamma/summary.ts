import type { GammaLevel, GammaResult, GammaVerdict } from './result.js';

/** summary.md (also the job summary) and the terminal table for GAMMA results. */

const counts = (l: GammaLevel | null) => (l ? `${l.passed} / ${l.failed} / ${l.skipped}` : '–');
const mark = (r: string | undefined) => (r === 'success' ? '✅ success' : r === 'partial' ? '⚠️ partial' : r === 'failure' ? '❌ failure' : '–');

function heading(result: GammaResult): string {
  const impl = result.implementation;
  const channel = result.gateway_api_channel ? `, ${result.gateway_api_channel} channel` : '';
  const mode = result.mode ? `, mode \`${result.mode}\`` : '';
  return `${impl.organization}/${impl.project} ${impl.version}: Gateway API ${result.gateway_api_version}${channel}${mode}`;
}

export interface SummaryFiles {
  report: string;
  submission?: string;
}

export function gammaSummaryMarkdown(result: GammaResult, verdict: GammaVerdict, files: SummaryFiles, notes: string[] = []): string {
  const lines = [
    `## GAMMA conformance: ${mark(result.result)}`,
    '',
    heading(result),
    '',
    '| Profile | Core | passed / failed / skipped | Extended | passed / failed / skipped |',
    '|---|---|---|---|---|',
    ...result.profiles.map((p) => `| ${p.name} | ${mark(p.core.result)} | ${counts(p.core)} | ${mark(p.extended?.result)} | ${counts(p.extended)} |`),
    '',
  ];
  for (const p of result.profiles) {
    const detail: string[] = [];
    const list = (label: string, names: string[]) => names.length > 0 && detail.push(`- ${label}: ${names.map((n) => `\`${n}\``).join(', ')}`);
    list('core failed', p.core.failed_tests);
    list('core skipped', p.core.skipped_tests);
    if (p.extended) {
      list('extended failed', p.extended.failed_tests);
      list('extended skipped', p.extended.skipped_tests);
      list('unsupported extended features', p.extended.unsupported_features);
    }
    if (detail.length > 0) lines.push(`**${p.name}**`, '', ...detail, '');
  }
  lines.push(verdict.message.charAt(0).toUpperCase() + verdict.message.slice(1) + '.', '');
  for (const n of notes) lines.push(`> ${n}`, '');
  lines.push(`Report: \`${files.report}\``);
  if (files.submission) lines.push('', `Ready to submit upstream: \`${files.submission}\` (copy it into a fork of kubernetes-sigs/gateway-api and open a pull request).`);
  return `${lines.join('\n')}\n`;
}

/** The table the CLI prints. */
export function gammaTable(result: GammaResult): string {
  const rows = result.profiles.map((p) => [p.name, p.core.result, counts(p.core), p.extended?.result ?? '–', counts(p.extended)]);
  const all = [['profile', 'core', 'pass/fail/skip', 'extended', 'pass/fail/skip'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return [heading(result), ...all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd())].join('\n');
}
