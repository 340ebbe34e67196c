import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Platform } from '../cluster/platform.js';
import type { DownloadContext } from '../download/download-verified.js';
import { infraError, MeshspecError, type FailureKind } from '../errors.js';
import type { Logger } from '../log.js';
import type { MeshInfo } from '../mesh/registry.js';
import { writeResultFiles, type WriteOptions } from '../report/files.js';
import { describeError, KubeClient } from '../kube/client.js';
import { resolveKubeConfig } from '../kube/config.js';
import { checkCrdVersion, installedGatewayApi, installGatewayApiCrds } from '../gamma/crds.js';
import { GAMMA_JUNIT_FILE, GAMMA_REPORT_FILE, GAMMA_SUMMARY_FILE, writeGammaFiles, type GammaFilesOutcome } from './gamma-files.js';
import { junitFromGoTest } from '../gamma/junit.js';
import { parseConformanceReport } from '../gamma/report.js';
import { reproduceWorkflow } from '../gamma/reproduce.js';
import { resolveSuiteSettings, suiteArgs, type GammaOverrides, type SuiteSettings } from '../gamma/suite-flags.js';
import { runSuite, type SuiteRun } from '../gamma/suite.js';
import { resolveGoToolchain } from '../gamma/toolchain.js';
import { requiredGo, type GatewayApiChannel } from '../gamma/versions.js';

/**
 * One GAMMA run as the CLI and the action both do it, once the cluster is there: Go first (a
 * missing Go is the user's to fix before anything is installed), then the Gateway API CRDs, the
 * mesh (the ensureMesh seam), the official suite, the files, and the suite's namespaces cleaned
 * up. The report the suite wrote is kept byte for byte; everything else is derived from it.
 */

/** Namespaces the suite creates (conformance/base/manifests.yaml, conformance/mesh/manifests.yaml). */
const SUITE_NAMESPACES = [
  'gateway-conformance-mesh',
  'gateway-conformance-mesh-consumer',
  'gateway-conformance-infra',
  'gateway-conformance-app-backend',
  'gateway-conformance-web-backend',
];

export interface GammaRunOptions {
  kubeconfigPath: string;
  mesh: MeshInfo;
  gatewayApiVersion: string;
  channel: GatewayApiChannel;
  /** Install the CRDs of that version and channel (default); false: check the cluster's. */
  installCrds: boolean;
  overrides: GammaOverrides;
  requireSuccess: boolean;
  outDir: string;
  download: DownloadContext;
  platform: Platform;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  signal: AbortSignal;
  /** Installs or verifies the mesh after the CRDs; returns the version installed or found. */
  ensureMesh: () => Promise<{ version?: string }>;
  /** The inputs of this run, given the mesh version installed or found, for the submission's Reproduce workflow. */
  reproduceInputs: (meshVersion: string | undefined) => Record<string, string | undefined>;
  /** How an input is named in messages (`input version`, `--version`). */
  where?: (input: string) => string;
  /** Collects diagnostics of these namespaces when the suite ended without a report, before they are deleted. */
  diagnose?: (namespaces: string[]) => Promise<void>;
  scrub?: WriteOptions['scrub'];
  /** meshspec's version, for report.html. */
  toolVersion: string;
}

export interface GammaRunOutcome {
  failureKind: FailureKind;
  failureMessage?: string;
  /** Set when the suite wrote a report. */
  gamma?: GammaFilesOutcome;
  settings?: SuiteSettings;
  junitFile?: string;
  summaryFile?: string;
  summaryMarkdown: string;
}

async function cleanupNamespaces(kube: KubeClient, logger: Logger): Promise<void> {
  for (const name of SUITE_NAMESPACES) {
    try {
      if (!(await kube.read({ apiVersion: 'v1', kind: 'Namespace', name }))) continue;
      await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
      logger.info(`deleted namespace ${name} (created by the conformance suite)`);
    } catch (error) {
      logger.warn(`could not delete namespace ${name}: ${describeError(error).message}; delete it with kubectl delete namespace ${name}`);
    }
  }
}

function failedOutsideProfiles(run: SuiteRun, gamma: GammaFilesOutcome): string[] {
  const inReport = new Set(gamma.result.profiles.flatMap((p) => [...p.core.failed_tests, ...(p.extended?.failed_tests ?? [])]));
  return run.goTest.cases.filter((c) => c.status === 'fail' && !inReport.has(c.name)).map((c) => c.name);
}

export async function runGammaConformance(o: GammaRunOptions): Promise<GammaRunOutcome> {
  const { logger } = o;
  const required = requiredGo(o.gatewayApiVersion);
  const go = await logger.group('go toolchain', () => resolveGoToolchain({ env: o.env, required, arch: o.platform.arch, logger, signal: o.signal }));
  logger.info(go.choice);

  const loaded = resolveKubeConfig({ kubeconfig: o.kubeconfigPath, kubeconfigSource: 'kubeconfig', env: o.env });
  const kube = new KubeClient(loaded.kc);
  const kubernetesVersion = await kube.ping(loaded.source);
  logger.info(`cluster: ${loaded.server} (context ${loaded.context}, Kubernetes ${kubernetesVersion})`);

  await logger.group(`Gateway API CRDs ${o.gatewayApiVersion} (${o.channel})`, async () => {
    if (o.installCrds) await installGatewayApiCrds({ kube, version: o.gatewayApiVersion, channel: o.channel, download: o.download, platform: o.platform, logger });
    checkCrdVersion(await installedGatewayApi(kube), o.gatewayApiVersion, o.channel, o.overrides.allow_crds_mismatch === true, logger);
  });

  const meshVersion = (await o.ensureMesh()).version;
  const settings = resolveSuiteSettings(o.mesh, o.overrides, meshVersion, o.where);
  const outDir = path.resolve(o.outDir);
  const reportPath = path.join(outDir, GAMMA_REPORT_FILE);
  await rm(reportPath, { force: true });
  await mkdir(outDir, { recursive: true });
  const moduleDir = await mkdtemp(path.join(tmpdir(), 'meshspec-gamma-'));
  const started = new Date();
  let run: SuiteRun;
  try {
    run = await logger.group('Gateway API conformance suite', () =>
      runSuite({
        go,
        moduleDir,
        gatewayApiVersion: o.gatewayApiVersion,
        goVersion: required,
        suiteArgs: suiteArgs(settings, reportPath),
        reportPath,
        kubeconfigPath: o.kubeconfigPath,
        logger,
        signal: o.signal,
      }),
    );
    if (!run.cancelled && !run.reportText && o.diagnose) await o.diagnose(SUITE_NAMESPACES.slice(0, 2)).catch(() => undefined);
  } finally {
    await rm(moduleDir, { recursive: true, force: true }).catch(() => undefined);
    await logger.group('cleanup', () => cleanupNamespaces(kube, logger)).catch(() => undefined);
  }

  const title = `Gateway API ${o.gatewayApiVersion} mesh conformance: ${o.mesh.displayName} ${settings.implementation.version}`;
  const junit = junitFromGoTest(run.goTest, title, started);
  if (run.cancelled || !run.reportText) {
    const cancelled = run.cancelled;
    const message = cancelled
      ? 'cancelled: the suite was stopped before it wrote a report'
      : `the conformance suite ended (go test exit ${run.exitCode}) without writing a report; its last output follows`;
    const summaryMarkdown = [`## GAMMA conformance: ${cancelled ? 'cancelled' : '❌ no report'}`, '', message + (cancelled ? '.' : ':'), '', '```', ...run.lastOutput, '```', ''].join('\n');
    const paths = await writeResultFiles(outDir, { [GAMMA_JUNIT_FILE]: junit, [GAMMA_SUMMARY_FILE]: summaryMarkdown }, { scrub: o.scrub });
    if (!cancelled) logger.error(message);
    return {
      failureKind: cancelled ? 'cancelled' : 'infra',
      failureMessage: cancelled ? message : `${message}:\n${run.lastOutput.join('\n')}`,
      settings,
      junitFile: paths[GAMMA_JUNIT_FILE],
      summaryFile: paths[GAMMA_SUMMARY_FILE],
      summaryMarkdown,
    };
  }

  let report;
  try {
    report = parseConformanceReport(run.reportText, reportPath);
  } catch (error) {
    throw infraError(`the suite wrote a report that is not a valid ConformanceReport: ${(error as Error).message}`, { details: error instanceof MeshspecError ? error.details : [] });
  }
  const gamma = await writeGammaFiles({
    report,
    reportText: run.reportText,
    source: reportPath,
    selection: settings.profiles,
    requireSuccess: o.requireSuccess,
    outDir,
    junit: () => junit,
    reproduce: {
      text: `Run on GitHub Actions with meshspec's gamma-conformance-action, which installs the Gateway API ${o.gatewayApiVersion} ${o.channel} CRDs and ${o.mesh.displayName} on a fresh minikube cluster and runs the unmodified conformance suite at ${o.gatewayApiVersion}. The workflow that produced this report:`,
      workflow: reproduceWorkflow(o.reproduceInputs(meshVersion)),
    },
    scrub: o.scrub,
    toolVersion: o.toolVersion,
    logger,
  });
  const outside = failedOutsideProfiles(run, gamma);
  if (outside.length > 0) logger.warn(`go test failed tests that count towards none of the selected profiles: ${outside.join(', ')} (see junit.xml); the report's results are unaffected`);
  if (gamma.verdict.warning) logger.warn(gamma.verdict.warning);
  return {
    failureKind: gamma.verdict.failureKind,
    failureMessage: gamma.verdict.failureKind === 'none' ? undefined : gamma.verdict.message,
    gamma,
    settings,
    junitFile: gamma.files.junit,
    summaryFile: gamma.files.summary,
    summaryMarkdown: gamma.summaryMarkdown,
  };
}
