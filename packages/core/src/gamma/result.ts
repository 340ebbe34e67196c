import { inputError, type FailureKind } from '../errors.js';
import type { ProfileSelection } from './profiles.js';
import type { ConformanceReport, ConformanceResult, ConformanceStatus, ExtendedStatus, ProfileReport } from './report.js';

/**
 * gamma-result.json (schemas/gamma-result.schema.json): the report's selected profiles with their
 * core and extended results and counts. Counts are the report's own `statistics`, never recounted
 * from the test lists: the report is the claim upstream reviews.
 */
export interface GammaLevel {
  result: ConformanceResult;
  passed: number;
  failed: number;
  skipped: number;
  failed_tests: string[];
  skipped_tests: string[];
}

interface GammaExtendedLevel extends GammaLevel {
  supported_features: string[];
  unsupported_features: string[];
}

interface GammaProfileResult {
  name: string;
  core: GammaLevel;
  extended: GammaExtendedLevel | null;
}

export interface GammaResult {
  gateway_api_version: string;
  gateway_api_channel: 'standard' | 'experimental' | 'UNDEFINED' | null;
  mode: string | null;
  implementation: { organization: string; project: string; url: string; version: string; contact: string[] };
  result: ConformanceResult;
  profiles: GammaProfileResult[];
}

const RANK: Record<ConformanceResult, number> = { success: 0, partial: 1, failure: 2 };

/** The worst of several results: failure > partial > success. */
export function worstResult(results: ConformanceResult[]): ConformanceResult {
  return results.reduce<ConformanceResult>((worst, r) => (RANK[r] > RANK[worst] ? r : worst), 'success');
}

function level(status: ConformanceStatus): GammaLevel {
  return {
    result: status.result,
    passed: status.statistics.Passed,
    failed: status.statistics.Failed,
    skipped: status.statistics.Skipped,
    failed_tests: [...(status.failedTests ?? [])],
    skipped_tests: [...(status.skippedTests ?? [])],
  };
}

function extendedLevel(status: ExtendedStatus): GammaExtendedLevel {
  return { ...level(status), supported_features: [...(status.supportedFeatures ?? [])], unsupported_features: [...(status.unsupportedFeatures ?? [])] };
}

/** The report's profiles that the selection keeps, in the report's order. */
function selectProfiles(report: ConformanceReport, selection: ProfileSelection): ProfileReport[] {
  const all = report.profiles ?? [];
  return selection === 'all' ? all : all.filter((p) => selection.includes(p.name.toUpperCase()));
}

/**
 * Builds gamma-result.json from a report. A selection that matches none of the report's profiles
 * is an input error naming `source` and the profiles it does hold.
 */
export function toGammaResult(report: ConformanceReport, selection: ProfileSelection, source: string): GammaResult {
  const chosen = selectProfiles(report, selection);
  if (chosen.length === 0) {
    const held = (report.profiles ?? []).map((p) => p.name);
    throw inputError(
      `${source}: holds no ${selection === 'all' ? 'profile at all' : `profile among ${selection.join(', ')}`}` +
        (held.length > 0 ? `; it holds ${held.join(', ')}: choose with --profiles (or the profiles input), e.g. --profiles ${held[0]}, or --profiles all` : ''),
      { file: source },
    );
  }
  const profiles = chosen.map((p) => ({ name: p.name, core: level(p.core), extended: p.extended ? extendedLevel(p.extended) : null }));
  const impl = report.implementation;
  return {
    gateway_api_version: report.gatewayAPIVersion,
    gateway_api_channel: report.gatewayAPIChannel ?? null,
    mode: report.mode ?? null,
    implementation: { organization: impl.organization, project: impl.project, url: impl.url, version: impl.version, contact: [...(impl.contact ?? [])] },
    result: worstResult(profiles.flatMap((p) => [p.core.result, ...(p.extended ? [p.extended.result] : [])])),
    profiles,
  };
}

/** The action's count outputs: sums over the selected profiles. */
export interface GammaTotals {
  core_passed: number;
  core_failed: number;
  extended_passed: number;
  extended_failed: number;
}

export function gammaTotals(result: GammaResult): GammaTotals {
  const sum = (f: (p: GammaProfileResult) => number) => result.profiles.reduce((n, p) => n + f(p), 0);
  return {
    core_passed: sum((p) => p.core.passed),
    core_failed: sum((p) => p.core.failed),
    extended_passed: sum((p) => p.extended?.passed ?? 0),
    extended_failed: sum((p) => p.extended?.failed ?? 0),
  };
}

export interface GammaVerdict {
  /** `test` when a requested profile failed, or was partial under require_success. */
  failureKind: Extract<FailureKind, 'none' | 'test'>;
  message: string;
  /** Set for a partial result that does not fail the run. */
  warning?: string;
}

/** Exit 1 when any requested profile's core or extended result is failure; partial is a warning unless requireSuccess. */
export function judgeGamma(result: GammaResult, requireSuccess: boolean): GammaVerdict {
  const where = (r: ConformanceResult) =>
    result.profiles.flatMap((p) => [...(p.core.result === r ? [`${p.name} core`] : []), ...(p.extended?.result === r ? [`${p.name} extended`] : [])]);
  const failed = result.profiles.flatMap((p) => [...p.core.failed_tests, ...(p.extended?.failed_tests ?? [])]);
  const skipped = result.profiles.flatMap((p) => [...p.core.skipped_tests, ...(p.extended?.skipped_tests ?? [])]);
  if (result.result === 'failure') {
    return { failureKind: 'test', message: `not conformant: ${where('failure').join(', ')} failed${failed.length ? ` (${failed.join(', ')})` : ''}` };
  }
  if (result.result === 'partial') {
    const text = `partial: ${where('partial').join(', ')} skipped tests${skipped.length ? ` (${skipped.join(', ')})` : ''}`;
    return requireSuccess
      ? { failureKind: 'test', message: `${text}, and require_success is set` }
      : { failureKind: 'none', message: `${text}; upstream accepts partial reports but lists them apart`, warning: text };
  }
  return { failureKind: 'none', message: `conformant: every selected profile (${result.profiles.map((p) => p.name).join(', ')}) succeeded` };
}
