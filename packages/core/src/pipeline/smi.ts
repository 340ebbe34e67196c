import { worstKind, type FailureKind } from '../errors.js';
import type { Logger } from '../log.js';
import type { MeshInfo, SmiSpecName } from '../mesh/registry.js';
import { writeResultFiles } from '../report/files.js';
import { writeReportPage } from '../report/html/index.js';
import { toJUnitXml } from '../smi/junit.js';
import { KubeClient } from '../kube/client.js';
import { resolveKubeConfig, type KubeTarget } from '../kube/config.js';
import { toSmiResult, type SmiResult } from '../smi/result.js';
import { judge, scoreSpec, type ConformancePolicy, type Verdict } from '../smi/scoring.js';
import { toSummaryMarkdown } from '../smi/summary.js';
import { runSmiSuite, type SmiSuiteResult } from '../smi/suite.js';
import type { SmiVersionChoice } from '../smi/versions.js';
import { publishSmiRun, type PublishReport, type PublishSettings } from './publish.js';

/**
 * One SMI conformance run as the CLI and the action both do it: connect to the cluster, make sure
 * the mesh is there (the ensureMesh seam), run the suite, write the files, and decide the exit.
 * Publishing is the caller's next step (pipeline/publish.ts), after the files exist.
 */

export const SMI_RESULT_FILE = 'smi-result.json';
export const JUNIT_FILE = 'junit.xml';
export const SMI_SUMMARY_FILE = 'summary.md';

export interface SmiConformanceOptions {
  cluster: KubeTarget;
  mesh: MeshInfo;
  meshVersion?: string;
  /** `mesh_deployed`: the mesh is already installed. Installing one is the lifecycle's job (ensureMesh). */
  meshDeployed?: boolean;
  specs?: SmiSpecName[];
  smiVersion?: SmiVersionChoice;
  stepTimeoutMs?: number;
  outDir: string;
  policy: ConformancePolicy;
  logger: Logger;
  signal: AbortSignal;
  toolVersion: string;
  sampleAppImage?: string;
  /** Applied to every text written (the action's secret scrubber). */
  scrub?: (text: string) => string;
  onNamespace?: (event: 'created' | 'deleted', name: string) => void;
  /**
   * Seam for the lifecycle issue: installs or verifies the mesh before the suite (and may report
   * its version). Without it, the suite tests the cluster as it is.
   */
  ensureMesh?: (kube: KubeClient) => Promise<{ version?: string } | void>;
}

export interface SmiConformanceOutcome {
  suite: SmiSuiteResult;
  result: SmiResult;
  verdict: Verdict;
  /** `report` is absent when the page could not be made (a warning says why). */
  files: { result: string; junit: string; summary: string; report?: string };
  summaryMarkdown: string;
  failureKind: FailureKind;
  /** Every failure, one sentence each (the verdict, environment failures, a failed publish). */
  failureMessage?: string;
}

export async function runSmiConformance(options: SmiConformanceOptions): Promise<SmiConformanceOutcome> {
  const { logger } = options;
  const loaded = resolveKubeConfig(options.cluster);
  const kube = new KubeClient(loaded.kc);
  const kubernetesVersion = await kube.ping(loaded.source);
  logger.info(`cluster: ${loaded.server} (context ${loaded.context}, Kubernetes ${kubernetesVersion}, kubeconfig ${loaded.source})`);

  let meshVersion = options.meshVersion;
  if (options.ensureMesh) {
    const found = await options.ensureMesh(kube);
    meshVersion ||= found?.version;
  } else if (!options.meshDeployed) {
    logger.notice(`testing ${options.mesh.displayName} as it is deployed in the cluster: this run does not install a mesh`);
  }

  const suite = await runSmiSuite({
    kube,
    mesh: options.mesh,
    meshVersion,
    specs: options.specs,
    smiVersion: options.smiVersion,
    stepTimeoutMs: options.stepTimeoutMs,
    logger,
    signal: options.signal,
    sampleAppImage: options.sampleAppImage,
    onNamespace: options.onNamespace,
    cluster: { server: loaded.server, context: loaded.context, kubernetes_version: kubernetesVersion },
  });

  const verdict = judge(suite.score, options.policy, suite.cancelled);
  const result = toSmiResult(suite, { toolVersion: options.toolVersion, policy: options.policy, verdict });
  const summaryMarkdown = toSummaryMarkdown(suite, verdict, options.policy);
  // Files first: whatever happens next (a failed publish, a second signal), the result is on disk.
  const paths = await writeResultFiles(
    options.outDir,
    { [SMI_RESULT_FILE]: result, [JUNIT_FILE]: toJUnitXml(suite), [SMI_SUMMARY_FILE]: summaryMarkdown },
    { scrub: options.scrub },
  );
  const report = await writeReportPage(options.outDir, { [SMI_RESULT_FILE]: result }, { version: options.toolVersion, logger, scrub: options.scrub });
  const files = { result: paths[SMI_RESULT_FILE]!, junit: paths[JUNIT_FILE]!, summary: paths[SMI_SUMMARY_FILE]!, report };

  const kinds: FailureKind[] = [];
  const messages: string[] = [];
  if (suite.cancelled) {
    kinds.push('cancelled');
    messages.push(verdict.message);
  } else if (verdict.fail && suite.cases.some((c) => !c.infraError && scoreSpec(c).status !== 'PASSED')) {
    // A spec the environment kept from running (an image that cannot be pulled) is no verdict on the mesh.
    kinds.push('test');
    messages.push(verdict.message);
  }
  if (suite.infraErrors.length > 0) {
    kinds.push('infra');
    messages.push(...suite.infraErrors);
  }

  const failureKind = worstKind(kinds);
  return {
    suite,
    result,
    verdict,
    files,
    summaryMarkdown,
    failureKind,
    failureMessage: messages.length > 0 ? messages.join('; ') : undefined,
  };
}

/**
 * The last step of the SMI flow: publish a finished run whose files exist. A cancelled run is not
 * published (undefined). The caller reports the outcome its own way (log lines, outputs).
 */
export async function publishSmiOutcome(outcome: SmiConformanceOutcome, settings: PublishSettings, logger: Logger): Promise<PublishReport | undefined> {
  if (outcome.failureKind === 'cancelled') return undefined;
  return publishSmiRun(settings, logger, outcome.result as unknown as Record<string, unknown>);
}
