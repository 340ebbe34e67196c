import type { MeshspecSpec, SmiResult, SmiSpecDetail } from '../../smi/result.js';
import { formatNumber } from '../format.js';
import { badge, callout, facts, figures, html, section, table, type Html, type Tone } from './markup.js';
import type { ReportPart } from './layout.js';

/**
 * The SMI conformance page: the verdict and score first, then each spec with every step's status,
 * reason, duration and attempts, so a reviewer sees where and why a mesh failed without the logs.
 * A Meshery SmiResult without our `meshspec` detail still renders, from `more_details` alone.
 */

export type SmiResultFile = Omit<SmiResult, 'meshspec'> & { meshspec?: SmiResult['meshspec'] };

const SPEC_TONE: Record<SmiSpecDetail['status'], Tone> = { PASSED: 'pass', FAILED: 'fail', CANCELLED: 'warn' };
const STEP_TONE: Record<MeshspecSpec['steps'][number]['status'], Tone> = { passed: 'pass', failed: 'fail', cancelled: 'warn', 'not-run': 'muted' };

function verdict(r: SmiResultFile): { tone: Tone; label: string; detail: string } {
  const m = r.meshspec;
  const specsPassed = r.more_details.filter((d) => d.status === 'PASSED').length;
  // Meshery's "cases" are the steps of every spec; its score is the share of them that passed.
  const score = `${specsPassed} of ${r.more_details.length} specs passed; score ${r.passing_percentage}%${m ? ` (${r.cases_passed} of ${m.cases_total} test cases)` : ''}`;
  if (r.status === 'cancelled') return { tone: 'warn', label: 'Cancelled', detail: `partial results: ${score}` };
  const conformant = m ? m.conformant : r.more_details.every((d) => d.status === 'PASSED');
  return conformant ? { tone: 'pass', label: 'Conformant', detail: score } : { tone: 'fail', label: 'Not conformant', detail: score };
}

function seconds(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)}m${formatNumber(s % 60, 1)}s` : `${formatNumber(s, s >= 10 ? 1 : 2)} s`;
}

function specTable(r: SmiResultFile): Html {
  const detail = new Map((r.meshspec?.specs ?? []).map((s) => [s.smi_specification, s]));
  return table(
    'specs',
    ['Spec', 'API version', 'Status', 'Capability', { label: 'Steps passed', num: true }, { label: 'Time', num: true }, 'Reason'],
    r.more_details.map((d) => {
      const s = detail.get(d.smi_specification);
      return [
        { text: html`<a class="nowrap" href="#spec-${d.smi_specification}">${d.smi_specification}</a>`, value: d.smi_specification },
        { text: html`<code>${s?.api_version ?? d.smi_version}</code>`, value: s?.api_version ?? d.smi_version },
        { text: badge(SPEC_TONE[d.status], d.status), value: d.status },
        d.capability,
        { text: s ? `${s.steps_passed} / ${s.steps.length}` : d.assertions, value: s ? s.steps_passed : Number(d.assertions), num: true },
        { text: d.time, value: d.time, num: true },
        { text: d.status === 'PASSED' ? '' : d.reason ? html`${d.reason}<br><span class="step-desc">${d.result}</span>` : d.result, value: d.reason },
      ];
    }),
    (i) => (r.more_details[i]!.status === 'FAILED' ? 'fail' : undefined),
  );
}

function stepsOf(spec: MeshspecSpec, detail: SmiSpecDetail | undefined): Html {
  const status = detail?.status;
  return html`<div class="spec" id="spec-${spec.smi_specification}"><div class="spec-head"><h3>${spec.smi_specification}</h3>${status ? badge(SPEC_TONE[status], status) : ''}<span class="meta">${spec.api_version ?? 'API version not found'} · namespace ${spec.namespace} · ${spec.steps_passed} of ${spec.steps.length} steps passed</span></div>
${table(
  `steps-${spec.smi_specification}`,
  [{ label: '#', num: true }, 'Step', 'Status', 'Reason, notes', { label: 'Duration', num: true }, { label: 'Attempts', num: true }],
  spec.steps.map((s) => [
    { text: String(s.number), value: s.number, num: true },
    { text: html`<b>${s.name}</b><br><span class="step-desc">${s.description}</span>`, value: s.name },
    { text: badge(STEP_TONE[s.status], s.status), value: s.status },
    { text: html`${s.reason ?? ''}${s.reason && s.notes.length ? html`<br>` : ''}${s.notes.length ? html`<span class="step-desc">${s.notes.join('; ')}</span>` : ''}`, value: s.reason },
    { text: seconds(s.duration_s), value: s.duration_s, num: true },
    { text: String(s.attempts), value: s.attempts, num: true },
  ]),
  (i) => (spec.steps[i]!.status === 'failed' ? 'fail' : undefined),
)}</div>`;
}

export function renderSmiPart(r: SmiResultFile): ReportPart {
  const v = verdict(r);
  const m = r.meshspec;
  const pct = Number(r.passing_percentage);
  const specsPassed = r.more_details.filter((d) => d.status === 'PASSED').length;
  const details = new Map(r.more_details.map((d) => [d.smi_specification, d]));
  const body: Array<Html> = [
    figures([
      { label: 'Score', value: formatNumber(pct, 2), unit: '%', note: `${r.cases_passed}${m ? ` of ${m.cases_total}` : ''} test cases passed`, tone: v.tone },
      { label: 'Specs passed', value: String(specsPassed), unit: `of ${r.more_details.length}`, note: r.more_details.filter((d) => d.status !== 'PASSED').map((d) => `${d.smi_specification} ${d.status.toLowerCase()}`).join(', ') || 'every spec passed', tone: specsPassed === r.more_details.length ? 'pass' : 'fail' },
      { label: 'Duration', value: m ? seconds(m.duration_s) : '–' },
      { label: 'SMI release', value: m?.smi_release ?? (r.more_details[0]?.smi_version.split('/')[0] ?? '–') },
    ]),
  ];
  body.push(html`<div class="score-bar" title="${formatNumber(pct, 2)}% of test cases passed"><span style="width:${Math.max(0, Math.min(100, pct))}%"></span></div>`);
  if (m?.policy.min_passing_percentage !== null && m?.policy.min_passing_percentage !== undefined) {
    body.push(callout('info', 'Policy:', `conformant when the score is ${m.policy.min_passing_percentage}% or more.`));
  }
  if (m && m.infra_errors.length > 0) body.push(callout('fail', 'The environment failed, not (only) the mesh:', m.infra_errors.join('; ')));
  body.push(section('specs', 'Specs', specTable(r)));
  if (m) body.push(section('steps', 'Every step', m.specs.map((s) => stepsOf(s, details.get(s.smi_specification)))));
  body.push(
    section('environment', 'Mesh, cluster and versions', [
      facts([
        ['Mesh', `${r.mesh_name}${m ? ` (${m.mesh.id}, SMP type ${m.mesh.smp_type})` : ''}`],
        ['Mesh version', r.mesh_version],
        ['Cluster', m?.cluster.server ?? ''],
        ['Context', m?.cluster.context ?? ''],
        ['Kubernetes', m?.cluster.kubernetes_version ?? ''],
        ['Tested by', m ? `${m.tool.name} ${m.tool.version}` : ''],
        ['Date', r.date],
        ['Result id', r.id],
      ]),
      m
        ? html`<h3>API versions tested</h3>${table(
            'api-versions',
            ['Kind', 'Group/version'],
            Object.entries(m.api_versions).map(([kind, gv]) => [kind, { text: html`<code>${gv}</code>`, value: gv }]),
          )}`
        : '',
    ]),
  );
  return {
    kind: 'smi',
    title: `SMI conformance: ${r.mesh_name} ${r.mesh_version}`,
    status: v,
    subtitle: [m ? `SMI ${m.smi_release}` : '', m?.cluster.context ? `cluster ${m.cluster.context}` : '', r.date].filter(Boolean),
    body: html`${body}`,
    charts: [],
  };
}
