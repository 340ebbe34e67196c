import type { CaseRun } from './engine.js';

/**
 * Scoring, compatible with Meshery's (learn-layer5 `grpc/handlers.go`) so that results read the same
 * on its SMI dashboard:
 * - a spec is PASSED when every step passed, else FAILED;
 * - it stops at its first failed step, and the steps after it count as not passed;
 * - capability: FULL when every step passed, HALF when passed >= floor(steps / 2), else NONE;
 * - cases_passed is the sum of passed steps; passing_percentage is that over the sum of the steps
 *   of the specs that ran, with two decimals.
 * Unlike Meshery, every step counts, traffic assertions included (in its kuttl fork a failed
 * traffic assertion never reached the score).
 */

type SpecStatus = 'PASSED' | 'FAILED' | 'CANCELLED';
export type Capability = 'FULL' | 'HALF' | 'NONE';

export interface SpecScore {
  spec: string;
  steps: number;
  passed: number;
  status: SpecStatus;
  capability: Capability;
}

export interface SuiteScore {
  specs: SpecScore[];
  casesPassed: number;
  casesTotal: number;
  /** With two decimals, as Meshery writes it ("91.67"). */
  passingPercentage: string;
}

/** Meshery's rule. */
export function capabilityOf(passed: number, steps: number): Capability {
  if (steps > 0 && passed === steps) return 'FULL';
  return passed >= Math.floor(steps / 2) ? 'HALF' : 'NONE';
}

/** Steps passed before the first step that did not pass. */
function passedBeforeFirstFailure(run: Pick<CaseRun, 'steps'>): number {
  const firstNotPassed = run.steps.findIndex((s) => s.status !== 'passed');
  return firstNotPassed < 0 ? run.steps.length : firstNotPassed;
}

export function scoreSpec(run: Pick<CaseRun, 'spec' | 'steps' | 'cancelled'>): SpecScore {
  const steps = run.steps.length;
  const passed = passedBeforeFirstFailure(run);
  const status: SpecStatus = passed === steps ? 'PASSED' : run.cancelled ? 'CANCELLED' : 'FAILED';
  return { spec: run.spec, steps, passed, status, capability: capabilityOf(passed, steps) };
}

function formatPercentage(passed: number, total: number): string {
  return total === 0 ? '0.00' : ((passed * 100) / total).toFixed(2);
}

export function scoreSuite(runs: Pick<CaseRun, 'spec' | 'steps' | 'cancelled'>[]): SuiteScore {
  const specs = runs.map(scoreSpec);
  const casesPassed = specs.reduce((n, s) => n + s.passed, 0);
  const casesTotal = specs.reduce((n, s) => n + s.steps, 0);
  return { specs, casesPassed, casesTotal, passingPercentage: formatPercentage(casesPassed, casesTotal) };
}

export interface ConformancePolicy {
  /** Fail the job (exit 1) when the mesh is not conformant. Default true. */
  failOnNonconformance: boolean;
  /** A score that is good enough, in percent: relaxes "every selected spec PASSED". */
  minPassingPercentage?: number;
}

export interface Verdict {
  conformant: boolean;
  /** What the output `status` says. */
  status: 'conformant' | 'not-conformant' | 'cancelled';
  /** One sentence for the log and setFailed. */
  message: string;
  /** Whether the run should fail (exit 1): not conformant and failOnNonconformance. */
  fail: boolean;
}

/**
 * Conformant means every selected spec PASSED, or, with min_passing_percentage, a score at or
 * above it (compared on the two-decimal figure users see).
 */
export function judge(score: SuiteScore, policy: ConformancePolicy, cancelled = false): Verdict {
  const pct = score.passingPercentage;
  const figure = `${score.casesPassed}/${score.casesTotal} steps passed (${pct}%)`;
  if (cancelled) return { conformant: false, status: 'cancelled', message: `cancelled: ${figure} before the run stopped`, fail: true };
  const notPassed = score.specs.filter((s) => s.status !== 'PASSED').map((s) => s.spec);
  let conformant: boolean;
  let why: string;
  if (policy.minPassingPercentage !== undefined) {
    conformant = Number(pct) >= policy.minPassingPercentage;
    why = `${figure}; min_passing_percentage is ${policy.minPassingPercentage}${notPassed.length ? `; not passed: ${notPassed.join(', ')}` : ''}`;
  } else {
    conformant = notPassed.length === 0;
    why = notPassed.length ? `${figure}; not passed: ${notPassed.join(', ')}` : figure;
  }
  const fail = !conformant && policy.failOnNonconformance;
  const message = conformant
    ? `conformant: ${why}`
    : `not conformant: ${why}${policy.failOnNonconformance ? '' : ' (fail_on_nonconformance is false, so the run does not fail)'}`;
  return { conformant, status: conformant ? 'conformant' : 'not-conformant', message, fail };
}
