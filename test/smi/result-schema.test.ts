import { describe, expect, it } from 'vitest';
import { requireMesh } from '../../packages/core/src/mesh/registry.js';
import type { CaseRun, StepRun } from '../../packages/core/src/smi/engine.js';
import { toSmiResult } from '../../packages/core/src/smi/result.js';
import { judge, scoreSuite } from '../../packages/core/src/smi/scoring.js';
import type { SmiSuiteResult } from '../../packages/core/src/smi/suite.js';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';

const step = (number: number, status: StepRun['status'], reason?: string): StepRun => ({
  number,
  name: `step${number}`,
  description: `does step ${number}`,
  status,
  reason,
  durationMs: 120,
  attempts: 1,
  notes: [],
});

function suiteOf(cases: CaseRun[]): SmiSuiteResult {
  return {
    id: '3f0c7c6e-8d3c-4d1e-9a36-6c1b1b2f9a10',
    runId: 'abc',
    startedAt: new Date('2026-01-02T03:04:05.678Z'),
    durationMs: 61_500,
    mesh: requireMesh('linkerd', 'test'),
    meshVersion: 'edge-26.8.3',
    smiVersion: 'v0.6.0',
    apiVersions: { TrafficSplit: 'split.smi-spec.io/v1alpha4' },
    cases,
    score: scoreSuite(cases),
    cancelled: false,
    infraErrors: [],
    cluster: { server: 'https://127.0.0.1:6443', context: 'minikube', kubernetes_version: 'v1.30.0' },
  };
}

const splitRun: CaseRun = {
  spec: 'traffic-split',
  description: 'split',
  namespace: 'meshspec-traffic-split-abc123',
  apiVersion: 'split.smi-spec.io/v1alpha4',
  startedAt: new Date(),
  durationMs: 61_500,
  steps: [step(1, 'passed'), step(2, 'passed'), step(3, 'passed'), step(4, 'passed'), step(5, 'failed', 'a TrafficSplit sends all traffic ...'), ...[6, 7, 8, 9, 10, 11].map((n) => step(n, 'not-run', 'not run: step 5-step5 failed'))],
  cancelled: false,
};

describe('smi-result.json and its schema', () => {
  const validate = compileSchemaFile('smi-result.schema.json');
  const policy = { failOnNonconformance: true };
  const suite = suiteOf([splitRun]);
  const result = toSmiResult(suite, { toolVersion: '0.1.0', policy, verdict: judge(suite.score, policy) });

  it("writes Meshery's shape, every value a string, as on its dashboard", () => {
    expect(validate(result), errorsOf(validate).join('\n')).toBe(true);
    const { meshspec: _ours, ...meshery } = result;
    expect(meshery).toEqual({
      id: '3f0c7c6e-8d3c-4d1e-9a36-6c1b1b2f9a10',
      date: '2026-01-02T03:04:05Z',
      mesh_name: 'Linkerd',
      mesh_version: 'edge-26.8.3',
      cases_passed: '4',
      passing_percentage: '36.36',
      status: 'completed',
      more_details: [
        {
          smi_specification: 'traffic-split',
          smi_version: 'v0.6.0/v1alpha4',
          time: '1m1.5s',
          assertions: '11',
          result: 'a TrafficSplit sends all traffic ...',
          reason: 'failed in step 5-step5',
          capability: 'NONE',
          status: 'FAILED',
        },
      ],
    });
  });

  // The schema must be able to say no, or the tests that validate results prove nothing.
  const broken: [string, (r: any) => void][] = [
    ['a number where Meshery has a string', (r) => (r.cases_passed = 4)],
    ['a percentage with one decimal', (r) => (r.passing_percentage = '36.4')],
    ['an unknown capability', (r) => (r.more_details[0].capability = 'PARTIAL')],
    ['a PASSED spec with a reason', (r) => Object.assign(r.more_details[0], { status: 'PASSED', capability: 'FULL', result: 'All test passed' })],
    ['a failed step without a reason', (r) => (r.meshspec.specs[0].steps[4].reason = null)],
    ['credentials in the server URL', (r) => (r.meshspec.cluster.server = 'https://user:pw@example.com')],
    ['an unknown top-level field', (r) => (r.token = 'x')],
    ['an invalid smi_version', (r) => (r.more_details[0].smi_version = 'v1alpha4')],
  ];
  for (const [what, mutate] of broken) {
    it(`rejects ${what}`, () => {
      const copy = structuredClone(result);
      mutate(copy);
      expect(validate(copy)).toBe(false);
    });
  }
});
