import { redactUrl } from '../redact.js';
import type { StepStatus } from './engine.js';
import { scoreSpec, type ConformancePolicy, type Verdict } from './scoring.js';
import type { SmiSuiteResult } from './suite.js';

/**
 * summary.md, which is also the job summary: the verdict, one row per spec, then a table per spec
 * with every step, its status and its reason, and how the score was computed, so a reader can
 * check the figure by hand.
 */

const STEP_ICON: Record<StepStatus, string> = { passed: '✅ passed', failed: '❌ failed', cancelled: '⏹️ cancelled', 'not-run': '⏭️ not run' };
const SPEC_ICON = { PASSED: '✅ PASSED', FAILED: '❌ FAILED', CANCELLED: '⏹️ CANCELLED' } as const;

/** A table cell: no pipes or line breaks, bounded length. */
function cell(text: string, max = 400): string {
  const flat = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function toSummaryMarkdown(suite: SmiSuiteResult, verdict: Verdict, policy: ConformancePolicy): string {
  const { score } = suite;
  const headline =
    verdict.status === 'conformant' ? '✅ conformant' : verdict.status === 'cancelled' ? '⏹️ cancelled (partial results)' : '❌ not conformant';
  const out: string[] = [
    `## SMI conformance: ${suite.mesh.displayName} ${suite.meshVersion === 'unknown' ? '(version unknown)' : suite.meshVersion} — ${headline}`,
    '',
    `**${score.casesPassed}/${score.casesTotal} steps passed (${score.passingPercentage}%)** · SMI ${suite.smiVersion} · ${secs(suite.durationMs)} · cluster \`${redactUrl(suite.cluster.server)}\` (context \`${suite.cluster.context}\`, Kubernetes ${suite.cluster.kubernetes_version})`,
    '',
  ];
  const tested = Object.entries(suite.apiVersions);
  out.push(
    `API versions tested (smi_version ${suite.smiVersion}): ${tested.length > 0 ? tested.map(([kind, v]) => `${kind} \`${v}\``).join(', ') : 'none (the mesh serves no SMI API the specs use)'}`,
    '',
  );
  if (suite.infraErrors.length > 0) {
    out.push('> [!WARNING]', ...suite.infraErrors.map((e) => `> ${cell(e, 1000)}`), '');
  }
  out.push('| Spec | API version | Status | Capability | Steps passed | Time |', '|---|---|---|---|---|---|');
  for (const run of suite.cases) {
    const s = scoreSpec(run);
    out.push(`| ${run.spec} | ${run.apiVersion ?? 'not resolved'} | ${SPEC_ICON[s.status]} | ${s.capability} | ${s.passed}/${s.steps} | ${secs(run.durationMs)} |`);
  }
  out.push('');
  for (const run of suite.cases) {
    const s = scoreSpec(run);
    out.push(`### ${run.spec}: ${SPEC_ICON[s.status]}, ${s.capability}`, '', cell(run.description, 1000), '', '| # | Step | Status | Reason and observations |', '|---|---|---|---|');
    for (const step of run.steps) {
      const detail = [step.reason, ...step.notes].filter((x): x is string => !!x).join(' · ');
      out.push(`| ${step.number} | **${step.name}**: ${cell(step.description, 300)} | ${STEP_ICON[step.status]} | ${cell(detail, 600) || '—'} |`);
    }
    out.push('');
  }
  const parts = suite.cases.map((c) => `${c.spec} ${scoreSpec(c).passed}/${c.steps.length}`).join(' + ');
  out.push(
    '### How the score is computed',
    '',
    '- Each spec runs its steps in order and stops at its first failed step; the steps after it count as not passed. Every step counts, traffic checks included.',
    `- cases_passed = ${parts} = **${score.casesPassed}**; passing_percentage = ${score.casesPassed} / ${score.casesTotal} (the steps of the specs that ran) = **${score.passingPercentage}%**.`,
    "- Capability (Meshery's rule): FULL when every step passed, HALF when at least ⌊steps / 2⌋ passed, NONE otherwise.",
    policy.minPassingPercentage !== undefined
      ? `- Conformant when passing_percentage ≥ min_passing_percentage (${policy.minPassingPercentage}).`
      : '- Conformant when every selected spec PASSED.',
    `- Result: ${cell(verdict.message, 1000)}`,
    '',
  );
  return out.join('\n');
}
