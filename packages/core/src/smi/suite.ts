import { randomBytes, randomUUID } from 'node:crypto';
import { inputError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { MeshInfo, SmiSpecName } from '../mesh/registry.js';
import { DEFAULT_STEP_TIMEOUT_MS, runTestCase, type CaseRun } from './engine.js';
import type { KubeClient } from '../kube/client.js';
import { scoreSuite, type SuiteScore } from './scoring.js';
import type { TestCase } from './test-case.js';
import { trafficAccess } from './traffic-access.js';
import { trafficMetrics } from './traffic-metrics.js';
import { trafficSplit } from './traffic-split.js';
import { trafficSpec } from './traffic-spec.js';
import { ApiVersions, DEFAULT_SMI_VERSION, SMI_KINDS, type SmiVersionChoice } from './versions.js';

/** Every test case, in the order they run. */
export const SMI_TEST_CASES: readonly TestCase[] = [trafficAccess, trafficSpec, trafficSplit, trafficMetrics];

export const SPEC_NAMES: readonly SmiSpecName[] = SMI_TEST_CASES.map((c) => c.spec);

/** Other spellings users write (the spec's own title is "Traffic Specs"). */
const SPEC_ALIASES: Record<string, SmiSpecName> = { 'traffic-specs': 'traffic-spec', 'traffic-splits': 'traffic-split', 'traffic-target': 'traffic-access' };

/**
 * Reads a spec list (`specs` input, `--specs`): names separated by commas or whitespace, in either
 * spelling, case-insensitive; empty means all. Unknown names are an input error listing the known ones.
 */
export function parseSpecs(raw: string | string[] | undefined, where: string): SmiSpecName[] {
  const items = (Array.isArray(raw) ? raw : [raw ?? ''])
    .flatMap((s) => s.split(/[\s,]+/))
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (items.length === 0 || items.includes('all')) return [...SPEC_NAMES];
  const chosen = new Set<SmiSpecName>();
  for (const item of items) {
    const name = (SPEC_NAMES as readonly string[]).includes(item) ? (item as SmiSpecName) : SPEC_ALIASES[item];
    if (!name) throw inputError(`${where}: unknown SMI spec "${item}"; use any of ${SPEC_NAMES.join(', ')} (or all)`);
    chosen.add(name);
  }
  return SPEC_NAMES.filter((n) => chosen.has(n));
}

export interface SmiSuiteOptions {
  kube: KubeClient;
  mesh: MeshInfo;
  /** As reported in the result; `unknown` when not given. */
  meshVersion?: string;
  /** Default: every spec. */
  specs?: SmiSpecName[];
  smiVersion?: SmiVersionChoice;
  stepTimeoutMs?: number;
  logger?: Logger;
  signal?: AbortSignal;
  sampleAppImage?: string;
  /** Namespaces created and deleted, as they happen (the action keeps them for its post step). */
  onNamespace?: (event: 'created' | 'deleted', name: string) => void;
  /** Where the suite ran, for the result. */
  cluster?: { server: string; context: string; kubernetes_version: string };
  /** Replaces the test cases (tests only). */
  cases?: readonly TestCase[];
}

export interface SmiSuiteResult {
  /** The result id (a UUID), also in smi-result.json. */
  id: string;
  /** Labels every namespace of this run (`meshspec.io/run`). */
  runId: string;
  startedAt: Date;
  durationMs: number;
  mesh: MeshInfo;
  meshVersion: string;
  smiVersion: SmiVersionChoice;
  /** Kind -> `group/version` actually tested. */
  apiVersions: Record<string, string>;
  cases: CaseRun[];
  score: SuiteScore;
  cancelled: boolean;
  /** Failures of the environment rather than the mesh (exit 3 territory). */
  infraErrors: string[];
  cluster: { server: string; context: string; kubernetes_version: string };
}

/** Runs the selected specs one after the other, each in its own namespace, and scores them. */
export async function runSmiSuite(options: SmiSuiteOptions): Promise<SmiSuiteResult> {
  const started = Date.now();
  const logger = options.logger ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  const smiVersion = options.smiVersion ?? DEFAULT_SMI_VERSION;
  const selected = options.specs ?? [...SPEC_NAMES];
  const cases = (options.cases ?? SMI_TEST_CASES).filter((c) => selected.includes(c.spec));
  const runId = randomBytes(5).toString('hex');
  const kube = options.kube;
  const versions = new ApiVersions(smiVersion, (kind) => {
    const info = SMI_KINDS[kind];
    return info.crd ? kube.crdServedVersions(info.crd) : kube.groupVersions(info.group);
  });
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;

  const runs: CaseRun[] = [];
  for (const tc of cases) {
    const run = await logger.group(`SMI ${tc.spec}`, () =>
      runTestCase(tc, {
        kube,
        mesh: options.mesh,
        versions,
        logger,
        stepTimeoutMs,
        signal,
        runId,
        sampleAppImage: options.sampleAppImage,
        onNamespace: options.onNamespace,
      }),
    );
    runs.push(run);
  }
  const cancelled = signal.aborted || runs.some((r) => r.cancelled);
  return {
    id: randomUUID(),
    runId,
    startedAt: new Date(started),
    durationMs: Date.now() - started,
    mesh: options.mesh,
    meshVersion: options.meshVersion?.trim() || 'unknown',
    smiVersion,
    apiVersions: versions.tested(),
    cases: runs,
    score: scoreSuite(runs),
    cancelled,
    infraErrors: runs.flatMap((r) => (r.infraError ? [`${r.spec}: ${r.infraError}`] : [])),
    cluster: options.cluster ?? { server: kube.server, context: kube.kc.getCurrentContext(), kubernetes_version: 'unknown' },
  };
}
