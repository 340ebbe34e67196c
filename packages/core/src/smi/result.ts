import { formatGoDuration } from '../duration.js';
import type { CaseRun, StepStatus } from './engine.js';
import { scoreSpec, type ConformancePolicy, type Verdict } from './scoring.js';
import type { SmiSuiteResult } from './suite.js';

/**
 * smi-result.json: Meshery's SmiResult (adapter/smi.go `Response`, server/models/smi-test.go), whose
 * values are all strings, as its dashboard data (meshery.io `_data/smi.json`) has them, so the file
 * can be published and rendered as is. Our own detail (every step, the versions tested, the policy)
 * lives in one extra field, `meshspec`, typed normally; Meshery's decoder ignores unknown fields.
 * The file validates against schemas/smi-result.schema.json.
 */
export interface SmiResult {
  id: string;
  /** RFC 3339. */
  date: string;
  /** The SMP enum title-cased, as Meshery writes it ("Open Service Mesh"). */
  mesh_name: string;
  mesh_version: string;
  cases_passed: string;
  passing_percentage: string;
  /** `completed`, or `cancelled` for partial results. */
  status: 'completed' | 'cancelled';
  more_details: SmiSpecDetail[];
  meshspec: MeshspecDetail;
}

export interface SmiSpecDetail {
  smi_specification: string;
  /** `<release>/<api version>`, e.g. `v0.6.0/v1alpha3` (`auto/<version>` with smi_version auto). */
  smi_version: string;
  /** Go duration, e.g. `2m3.1s`. */
  time: string;
  /** The number of steps. */
  assertions: string;
  /** `All test passed`, or the failure text. */
  result: string;
  /** Empty, or `failed in step <N>-<name>`. */
  reason: string;
  capability: 'FULL' | 'HALF' | 'NONE';
  status: 'PASSED' | 'FAILED' | 'CANCELLED';
}

interface MeshspecDetail {
  tool: { name: 'meshspec'; version: string };
  smi_release: string;
  /** Kind -> `group/version` tested. */
  api_versions: Record<string, string>;
  mesh: { id: string; name: string; smp_type: number; version: string };
  cluster: { server: string; context: string; kubernetes_version: string };
  cases_total: number;
  passing_percentage: number;
  conformant: boolean;
  policy: { fail_on_nonconformance: boolean; min_passing_percentage: number | null };
  duration_s: number;
  /** Failures of the environment (not the mesh), e.g. a namespace that could not be created. */
  infra_errors: string[];
  specs: MeshspecSpec[];
}

export interface MeshspecSpec {
  smi_specification: string;
  api_version: string | null;
  namespace: string;
  steps_passed: number;
  steps: {
    number: number;
    name: string;
    description: string;
    status: StepStatus;
    reason: string | null;
    duration_s: number;
    attempts: number;
    notes: string[];
  }[];
}

const round3 = (ms: number) => Math.round(ms) / 1000;

function specDetail(run: CaseRun, release: string): SmiSpecDetail {
  const score = scoreSpec(run);
  const failed = run.steps.find((s) => s.status === 'failed' || s.status === 'cancelled');
  const version = run.apiVersion ? run.apiVersion.split('/').pop()! : 'unknown';
  let result = 'All test passed';
  let reason = '';
  if (score.status !== 'PASSED') {
    if (failed) {
      reason = `${failed.status === 'cancelled' ? 'cancelled' : 'failed'} in step ${failed.number}-${failed.name}`;
      result = failed.reason ?? reason;
    } else {
      const notRun = run.steps.find((s) => s.status === 'not-run');
      reason = notRun?.reason ?? 'not run';
      result = run.infraError ?? notRun?.reason ?? 'not run';
    }
  }
  return {
    smi_specification: run.spec,
    smi_version: `${release}/${version}`,
    time: formatGoDuration(run.durationMs),
    assertions: String(score.steps),
    result,
    reason,
    capability: score.capability,
    status: score.status,
  };
}

export function toSmiResult(suite: SmiSuiteResult, extra: { toolVersion: string; policy: ConformancePolicy; verdict: Verdict }): SmiResult {
  return {
    id: suite.id,
    date: suite.startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    mesh_name: suite.mesh.displayName,
    mesh_version: suite.meshVersion,
    cases_passed: String(suite.score.casesPassed),
    passing_percentage: suite.score.passingPercentage,
    status: suite.cancelled ? 'cancelled' : 'completed',
    more_details: suite.cases.map((c) => specDetail(c, suite.smiVersion)),
    meshspec: {
      tool: { name: 'meshspec', version: extra.toolVersion },
      smi_release: suite.smiVersion,
      api_versions: suite.apiVersions,
      mesh: { id: suite.mesh.id, name: suite.mesh.displayName, smp_type: suite.mesh.smpType, version: suite.meshVersion },
      cluster: suite.cluster,
      cases_total: suite.score.casesTotal,
      passing_percentage: Number(suite.score.passingPercentage),
      conformant: extra.verdict.conformant,
      policy: { fail_on_nonconformance: extra.policy.failOnNonconformance, min_passing_percentage: extra.policy.minPassingPercentage ?? null },
      duration_s: round3(suite.durationMs),
      infra_errors: suite.infraErrors,
      specs: suite.cases.map((c) => ({
        smi_specification: c.spec,
        api_version: c.apiVersion ?? null,
        namespace: c.namespace,
        steps_passed: scoreSpec(c).passed,
        steps: c.steps.map((s) => ({
          number: s.number,
          name: s.name,
          description: s.description,
          status: s.status,
          reason: s.reason ?? null,
          duration_s: round3(s.durationMs),
          attempts: s.attempts,
          notes: s.notes,
        })),
      })),
    },
  };
}
