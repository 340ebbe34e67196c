import type { ConformanceResult } from '../../gamma/report.js';
import { worstResult, type GammaLevel, type GammaResult } from '../../gamma/result.js';
import { badge, callout, facts, figures, html, section, table, type Html, type Tone } from './markup.js';
import type { ReportPart } from './layout.js';

/**
 * The GAMMA (Gateway API mesh conformance) page, from gamma-result.json alone: the verdict, the
 * Gateway API release and the implementation, then per profile its core and extended results with
 * the counts, the failed and skipped test names and the features claimed. No charts: a report
 * holds counts and names, not series.
 */

const TONE: Record<ConformanceResult, Tone> = { success: 'pass', partial: 'warn', failure: 'fail' };
const LABEL: Record<ConformanceResult, string> = { success: 'Success', partial: 'Partial', failure: 'Failure' };

type Profile = GammaResult['profiles'][number];
type Named = { level: 'core' | 'extended'; name: string };

function levels(p: Profile): Array<{ level: 'core' | 'extended'; l: GammaLevel }> {
  return [{ level: 'core' as const, l: p.core }, ...(p.extended ? [{ level: 'extended' as const, l: p.extended }] : [])];
}

/** Table ids carry the profile name, lower-cased; a profile name is `[A-Z0-9-]` in every report. */
function idOf(profile: string): string {
  return profile.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

function testTable(id: string, tests: Named[]): Html {
  return table(
    id,
    ['Level', 'Test'],
    tests.map((t) => [t.level, { text: html`<code>${t.name}</code>`, value: t.name }]),
  );
}

function profileSection(p: Profile): Html {
  const id = idOf(p.name);
  const worst = worstResult(levels(p).map(({ l }) => l.result));
  const results = table(
    `profile-${id}`,
    ['Level', 'Result', { label: 'Passed', num: true }, { label: 'Failed', num: true }, { label: 'Skipped', num: true }],
    levels(p).map(({ level, l }) => [level, { text: badge(TONE[l.result], l.result), value: l.result }, l.passed, l.failed, l.skipped]),
    (i) => (levels(p)[i]!.l.result === 'success' ? undefined : TONE[levels(p)[i]!.l.result]),
  );
  const failed = levels(p).flatMap(({ level, l }) => l.failed_tests.map((name) => ({ level, name })));
  const skipped = levels(p).flatMap(({ level, l }) => l.skipped_tests.map((name) => ({ level, name })));
  const ext = p.extended;
  return html`<div class="spec" id="profile-${id}"><div class="spec-head"><h3>${p.name}</h3>${badge(TONE[worst], worst)}<span class="meta">core ${p.core.result}${ext ? ` · extended ${ext.result}` : ' · no extended result'}</span></div>
${results}
${failed.length ? html`<h3>Failed tests</h3>${testTable(`failed-${id}`, failed)}` : ''}
${skipped.length ? html`<h3>Skipped tests</h3>${testTable(`skipped-${id}`, skipped)}` : ''}
${
  ext
    ? html`<h3>Extended features</h3>${table(
        `features-${id}`,
        ['Feature', 'Supported'],
        [...ext.supported_features.map((f) => [f, { text: badge('pass', 'supported'), value: true }]), ...ext.unsupported_features.map((f) => [f, { text: badge('muted', 'unsupported'), value: false }])],
      )}`
    : ''
}</div>`;
}

export function renderGammaPart(r: GammaResult): ReportPart {
  const tone = TONE[r.result];
  const impl = r.implementation;
  const sum = (f: (l: GammaLevel) => number) => r.profiles.reduce((n, p) => n + levels(p).reduce((m, { l }) => m + f(l), 0), 0);
  const notSuccess = r.profiles.flatMap((p) => levels(p).filter(({ l }) => l.result !== 'success').map(({ level, l }) => `${p.name} ${level} ${l.result}`));
  const detail = `${r.profiles.length} profile${r.profiles.length === 1 ? '' : 's'}: ${notSuccess.length ? notSuccess.join(', ') : 'every core and extended result is success'}`;
  const body: Html[] = [
    figures([
      { label: 'Result', value: LABEL[r.result], tone },
      { label: 'Passed', value: String(sum((l) => l.passed)), note: 'tests, core and extended' },
      { label: 'Failed', value: String(sum((l) => l.failed)), tone: sum((l) => l.failed) > 0 ? 'fail' : undefined },
      { label: 'Skipped', value: String(sum((l) => l.skipped)), tone: sum((l) => l.skipped) > 0 ? 'warn' : undefined },
    ]),
  ];
  if (r.result === 'partial') body.push(callout('warn', 'Partial:', 'no test failed, but some were skipped; upstream counts a partial result as not conformant.'));
  body.push(
    section(
      'profiles',
      'Profiles',
      table(
        'profiles',
        ['Profile', 'Core', { label: 'Core passed', num: true }, { label: 'Core failed', num: true }, { label: 'Core skipped', num: true }, 'Extended', { label: 'Extended passed', num: true }, { label: 'Extended failed', num: true }, { label: 'Extended skipped', num: true }],
        r.profiles.map((p) => [
          { text: html`<a class="nowrap" href="#profile-${idOf(p.name)}">${p.name}</a>`, value: p.name },
          { text: badge(TONE[p.core.result], p.core.result), value: p.core.result },
          p.core.passed,
          p.core.failed,
          p.core.skipped,
          p.extended ? { text: badge(TONE[p.extended.result], p.extended.result), value: p.extended.result } : { text: '–', value: null },
          p.extended ? p.extended.passed : { text: '–', value: null, num: true },
          p.extended ? p.extended.failed : { text: '–', value: null, num: true },
          p.extended ? p.extended.skipped : { text: '–', value: null, num: true },
        ]),
      ),
    ),
    section('profile-details', 'Every profile', r.profiles.map(profileSection)),
    section('implementation', 'Implementation and Gateway API', [
      facts([
        ['Gateway API', r.gateway_api_version],
        ['Channel', r.gateway_api_channel ?? 'not stated'],
        ['Mode', r.mode ?? 'not stated'],
        ['Organization', impl.organization],
        ['Project', impl.project],
        ['Version', impl.version],
        ['URL', /^https?:\/\//.test(impl.url) ? html`<a href="${impl.url}" rel="noreferrer">${impl.url}</a>` : impl.url],
        ['Contact', impl.contact.join(', ')],
      ]),
    ]),
  );
  return {
    kind: 'gamma',
    title: `GAMMA conformance: ${impl.organization}/${impl.project} ${impl.version}`,
    status: { tone, label: LABEL[r.result], detail },
    subtitle: [`Gateway API ${r.gateway_api_version}`, r.gateway_api_channel ? `${r.gateway_api_channel} channel` : '', r.mode ? `mode ${r.mode}` : ''].filter(Boolean),
    body: html`${body}`,
    charts: [],
  };
}
