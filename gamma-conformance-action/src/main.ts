import { resolve } from 'node:path';
import {
  checkGammaInputs,
  checkGammaKubernetes,
  createToolCache,
  currentPlatform,
  inputError,
  reproduceInputs,
  runGammaConformance,
  VERSION,
} from '@meshspec/core';
import {
  diagnose,
  inProvisionedCluster,
  inputs,
  provisionMesh,
  readArtifactInputs,
  readGitHubInputs,
  readLifecycleInputs,
  run,
  scrubber,
  setOutputs,
  shareResults,
  teardownFromState,
  worstOutcome,
  writeJobSummary,
  type ActionContext,
  type MainOutcome,
} from '@meshspec/core/github';

// Gateway API mesh conformance: cluster -> Gateway API CRDs -> mesh -> the official suite -> files.
// Nothing is published: Meshery's provider has no GAMMA endpoint; the report goes upstream by pull request.

const where = (name: string) => `input ${name}`;

/** The inputs as typed values; every check names its input, before anything is started. */
function readInputs() {
  const lifecycle = readLifecycleInputs();
  if (lifecycle.cluster === 'none') throw inputError('input cluster: none is not possible here: the suite runs in a cluster; use auto, minikube or existing');
  checkGammaKubernetes(lifecycle.minikube.kubernetesVersion, where('kubernetes_version'));
  const gamma = checkGammaInputs(
    {
      service_mesh: inputs.str('service_mesh'),
      mesh_version: inputs.optional('mesh_version'),
      mesh_deployed: inputs.bool('mesh_deployed', false),
      gateway_api_version: inputs.optional('gateway_api_version'),
      gateway_api_channel: inputs.optional('gateway_api_channel'),
      install_crds: inputs.bool('install_crds', true),
      require_success: inputs.bool('require_success', false),
      overrides: {
        profiles: inputs.optional('profiles'),
        supported_features: inputs.optional('supported_features'),
        exempt_features: inputs.optional('exempt_features'),
        skip_tests: inputs.optional('skip_tests'),
        organization: inputs.optional('organization'),
        project: inputs.optional('project'),
        url: inputs.optional('url'),
        version: inputs.optional('version'),
        contact: inputs.optional('contact'),
        mode: inputs.optional('mode'),
        allow_crds_mismatch: inputs.bool('allow_crds_mismatch', false),
      },
    },
    where,
  );
  return { lifecycle, gamma, github: readGitHubInputs(), artifact: readArtifactInputs('gamma'), outputDir: inputs.str('output_dir', 'meshspec-results') };
}

const workspace = () => process.env.GITHUB_WORKSPACE ?? process.cwd();

async function main({ logger, signal }: ActionContext): Promise<MainOutcome> {
  const i = readInputs();
  const outDir = resolve(workspace(), i.outputDir);
  let meshVersion: string | undefined;
  return inProvisionedCluster({ lifecycle: i.lifecycle, meshDeployed: i.gamma.meshDeployed, outDir, artifact: i.artifact, logger, signal }, async ({ cluster }) => {
    const kubeconfig = cluster.kubeconfigPath ?? i.lifecycle.kubeconfig ?? '';
    const outcome = await runGammaConformance({
      kubeconfigPath: kubeconfig,
      mesh: i.gamma.mesh,
      gatewayApiVersion: i.gamma.gatewayApiVersion,
      channel: i.gamma.channel,
      installCrds: i.gamma.installCrds,
      overrides: i.gamma.overrides,
      requireSuccess: i.gamma.requireSuccess,
      outDir,
      download: { toolCache: createToolCache({ logger, env: process.env }), logger, mirror: i.lifecycle.mirror, githubToken: i.lifecycle.githubToken, signal },
      platform: currentPlatform(),
      env: process.env,
      logger,
      signal,
      ensureMesh: async () => {
        const mesh = await provisionMesh(
          i.lifecycle,
          { mesh: i.gamma.mesh, version: i.gamma.meshVersion, deployed: i.gamma.meshDeployed, kubeconfigPath: kubeconfig, where: where('service_mesh'), purpose: 'gamma' },
          logger,
          signal,
        );
        meshVersion = mesh.version;
        return { version: mesh.version };
      },
      reproduceInputs: (version) => reproduceInputs(i.gamma, version),
      where,
      diagnose: (namespaces) => diagnose(outDir, cluster, namespaces, logger),
      scrub: (t) => scrubber.scrub(t),
      toolVersion: VERSION,
    });
    const g = outcome.gamma;
    setOutputs({
      result: g?.result.result,
      ...g?.totals,
      report_file: g?.files.report,
      result_file: g?.files.result,
      submission_dir: g?.files.submission,
      mesh_version: meshVersion,
      output_dir: outDir,
    });
    if (g && g.verdict.failureKind === 'none' && !g.verdict.warning) logger.info(g.verdict.message);
    await writeJobSummary(outcome.summaryMarkdown);
    // The submission folder is a directory, attached as its report file already is; the rest are files.
    const files = g ? [g.files.report, g.files.result, g.files.junit, g.files.summary, g.files.page].filter((f): f is string => f !== undefined) : [];
    const shared = await shareResults(i.github, { action: 'gamma', markdown: outcome.summaryMarkdown, files }, logger);
    return worstOutcome([outcome, shared]);
  });
}

/** Removes the mesh and the cluster this step created (the suite's namespaces are removed by main). */
async function post({ logger, signal }: ActionContext): Promise<void> {
  await teardownFromState(logger, signal);
}

await run(main, post);
