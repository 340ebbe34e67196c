import type { CaseRun } from './engine.js';
import { scoreSpec } from './scoring.js';
import type { SmiSuiteResult } from './suite.js';

/**
 * junit.xml: one <testsuite> per spec, one <testcase> per step (named `<N>-<name>`, as Meshery
 * names steps in its reasons), so CI test reporters show every step. A failed step is a
 * <failure>; steps after it, and cancelled ones, are <skipped> with the reason; a failure of the
 * environment is an <error>. Each <testsuite> carries the API versions tested as properties.
 */

// XML 1.0 forbids most control characters even when escaped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function suiteXml(run: CaseRun, suite: SmiSuiteResult): string[] {
  const failures = run.steps.filter((s) => s.status === 'failed').length;
  const skipped = run.steps.filter((s) => s.status === 'not-run' || s.status === 'cancelled').length;
  const errors = run.infraError ? 1 : 0;
  const score = scoreSpec(run);
  const lines = [
    `  <testsuite${attrs({ name: run.spec, tests: run.steps.length, failures, errors, skipped, time: seconds(run.durationMs), timestamp: run.startedAt.toISOString() })}>`,
    '    <properties>',
    `      <property${attrs({ name: 'api_version', value: run.apiVersion ?? 'unknown' })}/>`,
    // Every version the run tested (a <testsuites> element has no properties in the JUnit schema).
    `      <property${attrs({ name: 'smi_version', value: suite.smiVersion })}/>`,
    ...Object.entries(suite.apiVersions).map(([kind, v]) => `      <property${attrs({ name: `api_version.${kind}`, value: v })}/>`),
    `      <property${attrs({ name: 'namespace', value: run.namespace })}/>`,
    `      <property${attrs({ name: 'status', value: score.status })}/>`,
    `      <property${attrs({ name: 'capability', value: score.capability })}/>`,
    '    </properties>',
  ];
  for (const step of run.steps) {
    const head = `    <testcase${attrs({ classname: `smi.${run.spec}`, name: `${step.number}-${step.name}`, time: seconds(step.durationMs) })}`;
    const body: string[] = [];
    if (step.status === 'failed') {
      body.push(`      <failure${attrs({ message: step.reason ?? 'failed', type: 'StepFailed' })}>${xmlEscape(step.description)}</failure>`);
    } else if (step.status === 'not-run' || step.status === 'cancelled') {
      body.push(`      <skipped${attrs({ message: step.reason ?? step.status })}/>`);
    }
    if (step.notes.length > 0) body.push(`      <system-out>${xmlEscape(step.notes.join('\n'))}</system-out>`);
    lines.push(body.length === 0 ? `${head}/>` : `${head}>`, ...body, ...(body.length === 0 ? [] : ['    </testcase>']));
  }
  if (run.infraError) lines.push(`    <error${attrs({ message: run.infraError, type: 'Infrastructure' })}/>`);
  lines.push('  </testsuite>');
  return lines;
}

export function toJUnitXml(suite: SmiSuiteResult): string {
  const steps = suite.cases.flatMap((c) => c.steps);
  const top = attrs({
    name: `meshspec SMI conformance: ${suite.mesh.displayName} ${suite.meshVersion}`,
    tests: steps.length,
    failures: steps.filter((s) => s.status === 'failed').length,
    errors: suite.infraErrors.length,
    skipped: steps.filter((s) => s.status === 'not-run' || s.status === 'cancelled').length,
    time: seconds(suite.durationMs),
    timestamp: suite.startedAt.toISOString(),
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${top}>`, ...suite.cases.flatMap((c) => suiteXml(c, suite)), '</testsuites>', ''].join('\n');
}
