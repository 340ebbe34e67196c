import { describe, expect, it } from 'vitest';
import type { CaseRun, StepRun, StepStatus } from './engine.js';
import { capabilityOf, judge, scoreSpec, scoreSuite } from './scoring.js';

const step = (number: number, status: StepStatus): StepRun => ({ number, name: `s${number}`, description: 'd', status, durationMs: 1, attempts: 1, notes: [] });

/** A spec of `steps` steps whose first failure is at `failedAt` (1-based), or that passed. */
function run(spec: string, steps: number, failedAt?: number, cancelled = false): Pick<CaseRun, 'spec' | 'steps' | 'cancelled'> {
  const list: StepRun[] = [];
  for (let i = 1; i <= steps; i++) {
    list.push(step(i, failedAt === undefined || i < failedAt ? 'passed' : i === failedAt ? (cancelled ? 'cancelled' : 'failed') : 'not-run'));
  }
  return { spec: spec as CaseRun['spec'], steps: list, cancelled };
}

describe("capability: Meshery's rule", () => {
  it('FULL only when every step passed; HALF from floor(steps/2); else NONE', () => {
    expect(capabilityOf(7, 7)).toBe('FULL');
    expect(capabilityOf(6, 7)).toBe('HALF');
    expect(capabilityOf(3, 7)).toBe('HALF'); // floor(7/2) = 3
    expect(capabilityOf(2, 7)).toBe('NONE');
    expect(capabilityOf(5, 11)).toBe('HALF'); // floor(11/2) = 5
    expect(capabilityOf(4, 11)).toBe('NONE');
    expect(capabilityOf(3, 6)).toBe('HALF');
    expect(capabilityOf(2, 6)).toBe('NONE');
  });
});

describe('scoring a spec', () => {
  it('counts the steps before the first failure as passed, and none after it', () => {
    // Meshery: "failed in step 4" → passed = 4 − 1 = 3.
    expect(scoreSpec(run('traffic-access', 7, 4))).toEqual({ spec: 'traffic-access', steps: 7, passed: 3, status: 'FAILED', capability: 'HALF' });
    expect(scoreSpec(run('traffic-split', 11, 1))).toMatchObject({ passed: 0, status: 'FAILED', capability: 'NONE' });
    expect(scoreSpec(run('traffic-spec', 6))).toMatchObject({ passed: 6, status: 'PASSED', capability: 'FULL' });
  });

  it('never counts a step after a failure, even one marked passed', () => {
    const r = run('traffic-spec', 6, 3);
    r.steps[4] = step(5, 'passed');
    expect(scoreSpec(r).passed).toBe(2);
  });

  it('a traffic assertion that fails counts (Meshery ignored them)', () => {
    // trafficDefault is step 3 of traffic-access: a mesh that allows by default scores 2/7, NONE.
    expect(scoreSpec(run('traffic-access', 7, 3))).toMatchObject({ passed: 2, capability: 'NONE', status: 'FAILED' });
  });

  it('marks a cancelled spec CANCELLED, scoring what passed before', () => {
    expect(scoreSpec(run('traffic-split', 11, 5, true))).toMatchObject({ passed: 4, status: 'CANCELLED' });
  });
});

describe('scoring a suite', () => {
  it("is like-for-like with Meshery's 24 steps for access, spec and split", () => {
    const s = scoreSuite([run('traffic-access', 7), run('traffic-spec', 6, 4), run('traffic-split', 11)]);
    expect(s.casesTotal).toBe(24);
    expect(s.casesPassed).toBe(7 + 3 + 11);
    expect(s.passingPercentage).toBe('87.50');
  });

  it('divides by the steps of the specs that ran, with two decimals', () => {
    expect(scoreSuite([run('traffic-access', 7), run('traffic-spec', 6), run('traffic-split', 11), run('traffic-metrics', 4)]).passingPercentage).toBe('100.00');
    expect(scoreSuite([run('traffic-split', 11)]).casesTotal).toBe(11);
    expect(scoreSuite([run('traffic-access', 7, 3)]).passingPercentage).toBe('28.57'); // 2/7
    expect(scoreSuite([run('traffic-spec', 6, 1)]).passingPercentage).toBe('0.00');
    // 2/3 shows as 66.67: rounding, not truncation.
    expect(scoreSuite([run('a', 3, 3)]).passingPercentage).toBe('66.67');
  });
});

describe('the verdict', () => {
  const policy = { failOnNonconformance: true };
  const allPass = scoreSuite([run('traffic-access', 7), run('traffic-split', 11)]);
  const oneFails = scoreSuite([run('traffic-access', 7), run('traffic-split', 11, 9)]); // 15/18 = 83.33

  it('is conformant only when every selected spec PASSED', () => {
    expect(judge(allPass, policy)).toMatchObject({ conformant: true, status: 'conformant', fail: false });
    const v = judge(oneFails, policy);
    expect(v).toMatchObject({ conformant: false, status: 'not-conformant', fail: true });
    expect(v.message).toBe('not conformant: 15/18 steps passed (83.33%); not passed: traffic-split');
  });

  it('min_passing_percentage relaxes it to a score, compared on the figure users see', () => {
    expect(judge(oneFails, { ...policy, minPassingPercentage: 80 })).toMatchObject({ conformant: true, fail: false });
    expect(judge(oneFails, { ...policy, minPassingPercentage: 83.33 })).toMatchObject({ conformant: true });
    expect(judge(oneFails, { ...policy, minPassingPercentage: 83.34 })).toMatchObject({ conformant: false, fail: true });
  });

  it('fail_on_nonconformance false reports but does not fail', () => {
    const v = judge(oneFails, { failOnNonconformance: false });
    expect(v).toMatchObject({ conformant: false, status: 'not-conformant', fail: false });
    expect(v.message).toMatch(/fail_on_nonconformance is false/);
  });

  it('a cancelled run is never conformant', () => {
    expect(judge(allPass, policy, true)).toMatchObject({ conformant: false, status: 'cancelled', fail: true });
  });
});
