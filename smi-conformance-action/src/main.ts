import { resolve } from 'node:path';
import {
  checkPublishSettings,
  deleteLeftoverNamespaces,
  inputError,
  parseSmiVersion,
  parseSpecs,
  publishSmiOutcome,
  requireMesh,
  runSmiConformance,
  VERSION,
  type KubeTarget,
  DEFAULTS,
} from '@meshspec/core';
import {
  diagnose,
  inProvisionedCluster,
  inputs,
  provisionMesh,
  publishFinishedRun,
  readArtifactInputs,
  readLifecycleInputs,
  readGitHubInputs,
  readPublishInputs,
  shareResults,
  run,
  scrubber,
  setOutputs,
  state,
  teardownFromState,
  worstOutcome,
  writeJobSummary,
  type ActionContext,
  type MainOutcome,
} from '@meshspec/core/github';

// State between main and post: the namespaces still to delete (never a secret).
const NAMESPACES = 'smi-namespaces';
const KUBECONFIG = 'smi-kubeconfig';

/** The inputs as typed values; every check names its input. Secrets are masked first of all. */
function readInputs(signal: AbortSignal) {
  const publish = readPublishInputs(signal);
  checkPublishSettings(publish);
  const github = readGitHubInputs();
  const lifecycle = readLifecycleInputs();
  if (lifecycle.cluster === 'none') throw inputError('input cluster: none is not possible here: the SMI suite runs in a cluster; use auto, minikube or existing');
  const mesh = inputs.optional('service_mesh');
  if (!mesh) throw inputError('input service_mesh is required: name the mesh under test, e.g. osm, linkerd or istio');
  return {
    publish,
    github,
    lifecycle,
    artifact: readArtifactInputs('smi'),
    mesh: requireMesh(mesh, 'input service_mesh'),
    meshDeployed: inputs.bool('mesh_deployed', false),
    meshVersion: inputs.optional('mesh_version'),
    specs: parseSpecs(inputs.list('specs', { commas: true }), 'input specs'),
    smiVersion: parseSmiVersion(inputs.optional('smi_version'), 'input smi_version'),
    sampleAppImage: inputs.optional('sample_app_image'),
    // Only Traefik Mesh's install has such choices; they are ignored for other meshes.
    meshSettings: { chartRepo: inputs.optional('traefik_mesh_chart_repo'), chartVersion: inputs.optional('traefik_mesh_chart_version') },
    stepTimeoutMs: inputs.duration('step_timeout') ?? DEFAULTS.stepTimeoutMs,
    failOnNonconformance: inputs.bool('fail_on_nonconformance', true),
    minPassingPercentage: inputs.number('min_passing_percentage', { min: 0, max: 100 }),
    outputDir: inputs.str('output_dir', DEFAULTS.outDir),
  };
}

const workspace = () => process.env.GITHUB_WORKSPACE ?? process.cwd();

async function main({ logger, signal }: ActionContext): Promise<MainOutcome> {
  const i = readInputs(signal);
  const outDir = resolve(workspace(), i.outputDir);
  // Every namespace is in state from its creation until its deletion, for the post step.
  const live = new Set<string>();
  return inProvisionedCluster({ lifecycle: i.lifecycle, meshDeployed: i.meshDeployed, outDir, artifact: i.artifact, logger, signal }, async (step) => {
    const kubeconfig = step.cluster.kubeconfigPath ?? i.lifecycle.kubeconfig;
    state.save(KUBECONFIG, kubeconfig);
    const target: KubeTarget = { kubeconfig, kubeconfigSource: 'input kubeconfig', env: process.env, cwd: workspace() };
    const outcome = await runSmiConformance({
      cluster: target,
      mesh: i.mesh,
      meshVersion: i.meshVersion,
      meshDeployed: i.meshDeployed,
      ensureMesh: async () => {
        const mesh = await provisionMesh(i.lifecycle, { mesh: i.mesh, version: i.meshVersion, deployed: i.meshDeployed, kubeconfigPath: kubeconfig ?? '', where: 'input service_mesh', settings: i.mesh.id === 'traefik_mesh' ? i.meshSettings : undefined }, logger, signal);
        if (mesh.namespace) step.namespaces.push(mesh.namespace);
        for (const extra of mesh.skippedExtras ?? []) logger.warn(extra);
        return { version: mesh.version };
      },
      specs: i.specs,
      smiVersion: i.smiVersion,
      sampleAppImage: i.sampleAppImage,
      stepTimeoutMs: i.stepTimeoutMs,
      outDir,
      policy: { failOnNonconformance: i.failOnNonconformance, minPassingPercentage: i.minPassingPercentage },
      logger,
      signal,
      toolVersion: VERSION,
      scrub: (t) => scrubber.scrub(t),
      onNamespace: (event, name) => {
        if (event === 'created') live.add(name);
        else live.delete(name);
        state.save(NAMESPACES, [...live]);
      },
    });

    const { suite, verdict, result } = outcome;
    setOutputs({
      status: verdict.status,
      passing_percentage: suite.score.passingPercentage,
      cases_passed: suite.score.casesPassed,
      cases_total: suite.score.casesTotal,
      result_file: outcome.files.result,
      mesh_version: result.mesh_version,
      api_versions: JSON.stringify(suite.apiVersions),
      output_dir: outDir,
    });
    // A failing verdict is reported once, by run()'s setFailed; a tolerated one is a warning.
    if (verdict.conformant) logger.info(verdict.message);
    else if (!verdict.fail) logger.warn(verdict.message);
    if (outcome.failureKind === 'infra') await diagnose(outDir, step.cluster, [...suite.cases.map((c) => c.namespace), ...step.namespaces], logger);
    // The files and the summary exist before the first byte goes to the provider.
    await writeJobSummary(outcome.summaryMarkdown);

    const published = await publishFinishedRun(outcome, i.publish, logger, () => publishSmiOutcome(outcome, i.publish, logger));
    const shared = await shareResults(i.github, { action: 'smi', markdown: outcome.summaryMarkdown, files: Object.values(outcome.files).filter((f) => f !== undefined) }, logger);
    return worstOutcome([outcome, shared, published]);
  });
}

/** Removes what a cancelled or killed main step left behind, then the mesh and cluster we created. */
async function post({ logger, signal }: ActionContext): Promise<void> {
  const left = state.load<string[]>(NAMESPACES) ?? [];
  const kubeconfig = state.load<string>(KUBECONFIG);
  if (left.length > 0) await deleteLeftoverNamespaces({ kubeconfig, kubeconfigSource: 'input kubeconfig', env: process.env, cwd: workspace() }, left, logger);
  await teardownFromState(logger, signal);
}

await run(main, post);
