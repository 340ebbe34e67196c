import { resolve } from 'node:path';
import {
  applyOverrides,
  checkPublishSettings,
  DEFAULTS,
  inputError,
  loadSmpProfile,
  publishSmpOutcome,
  parseThresholdsInput,
  renderSmpComment,
  requireMesh,
  addSensitiveNames,
  profileSecrets,
  smpOutputs,
  VERSION,
  runSmpWithLoad, loadsFromCluster, checkComparison,
  type Logger,
  type PublishSettings,
  type SmpProfile,
} from '@meshspec/core';
import {
  inProvisionedCluster,
  inputs,
  maskSecret,
  provisionMesh,
  readArtifactInputs,
  readGateInputs,
  readGitHubInputs,
  resolveGate,
  shareResults,
  readLifecycleInputs, readLoadInputs, readComparisonInputs,
  readPublishInputs,
  publishFinishedRun,
  run,
  scrubber,
  setOutputs,
  teardownFromState,
  validArtifactName,
  worstOutcome,
  writeJobSummary,
  type ActionContext,
  type MainOutcome,
} from '@meshspec/core/github';

/** The inputs as typed values; every check names its input. The token is masked first of all. */
function readInputs(signal: AbortSignal) {
  const publish = readPublishInputs(signal);
  addSensitiveNames(inputs.list('redact', { commas: true }));
  checkPublishSettings(publish);
  const github = readGitHubInputs();
  const mesh = inputs.optional('service_mesh');
  const artifact = readArtifactInputs('smp');
  const lifecycle = readLifecycleInputs();
  const installMesh = inputs.bool('install_mesh', false);
  const comparison = readComparisonInputs(); // compare_without_mesh, service_manifest
  if (installMesh && !mesh) throw inputError('input install_mesh: name the mesh to install in service_mesh');
  if (installMesh && lifecycle.cluster === 'none') throw inputError('input install_mesh: a mesh needs a cluster; set cluster to auto, minikube or existing');
  if (!validArtifactName(artifact.name)) throw inputError(`input artifact_name: "${artifact.name}" may not contain " : < > | * ? \\ / or line breaks`);
  return {
    publish,
    github,
    gate: readGateInputs(),
    artifact,
    lifecycle,
    installMesh,
    // External endpoints need no cluster: one is provided only to install a mesh, or when asked for.
    needsCluster: installMesh || comparison !== undefined || lifecycle.cluster === 'minikube' || lifecycle.cluster === 'existing',
    profileFilename: inputs.optional('profile_filename'),
    profileName: inputs.optional('profile_name'),
    endpoints: inputs.list('endpoint_url'),
    testName: inputs.optional('test_name'),
    mesh: mesh ? requireMesh(mesh, 'input service_mesh') : undefined,
    meshVersion: inputs.optional('mesh_version'),
    loadGenerator: inputs.optional('load_generator')?.toLowerCase(),
    durationMs: inputs.duration('duration', { positive: true }),
    rps: inputs.int('rps', { min: 0 }),
    connections: inputs.int('connections', { min: 1 }),
    requestTimeoutMs: inputs.duration('request_timeout', { positive: true }) ?? DEFAULTS.requestTimeoutMs,
    thresholds: parseThresholdsInput(inputs.str('thresholds')),
    insecureTls: inputs.bool('insecure_tls', false),
    outputDir: inputs.str('output_dir', DEFAULTS.outDir),
    platform: inputs.optional('platform'),
    load: readLoadInputs(),
    comparison,
  };
}

type Inputs = ReturnType<typeof readInputs>;

function loadProfile(i: Inputs, workspace: string, logger: Logger, publish: PublishSettings): Promise<SmpProfile> {
  return loadSmpProfile(
    {
      file: i.profileFilename,
      name: i.profileName,
      endpoints: i.endpoints,
      baseDir: workspace,
      githubFallback: true,
      labels: { file: 'input profile_filename', name: 'input profile_name' },
      missing: 'set profile_filename (an SMP profile in the repository), profile_name (a profile saved in the provider) or endpoint_url',
    },
    publish,
    logger,
  );
}

async function main({ logger, signal }: ActionContext): Promise<MainOutcome> {
  const i = readInputs(signal);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const outDir = resolve(workspace, i.outputDir);
  if (i.platform) logger.notice(`input platform (${i.platform}) is ignored: meshspec runs the load itself and needs no Meshery server`);

  // The profile is read first: a bad one fails before any cluster starts.
  let profile = applyOverrides(await loadProfile(i, workspace, logger, i.publish), {
    name: i.testName,
    endpoints: i.endpoints,
    rps: i.rps,
    connections: i.connections,
    durationMs: i.durationMs,
    loadGenerator: i.loadGenerator,
    mesh: i.mesh,
    meshVersion: i.meshVersion,
  }, 'action');
  // Values redacted by name (headers, query parameters, cookies) are masked everywhere else too.
  for (const secret of profileSecrets(profile)) maskSecret(secret);
  // The baseline too, before any cluster: a first run's notice (or a bad file) shows at once.
  const gate = await resolveGate(i.gate, i.github, i.artifact.name, workspace, logger);
  if (i.comparison) await checkComparison(profile, i.comparison); // its refusals come before any cluster starts
  if (loadsFromCluster(profile) && i.lifecycle.cluster === 'none') throw inputError('input cluster: none, but the profile\'s clients are internal: true (load from inside a cluster); set cluster to existing or auto');
  // internal clients load from pods in the cluster of input kubeconfig, or in the one provisioned here.
  return inProvisionedCluster({ lifecycle: i.lifecycle, provision: i.needsCluster, outDir, artifact: i.artifact, logger, signal }, async ({ cluster }) => {
    const env = cluster ? { kubernetes_version: cluster.serverVersion } : undefined;
    const kubeconfig = cluster?.kubeconfigPath ?? i.lifecycle.kubeconfig;
    if (cluster && i.installMesh && i.mesh) {
      const installed = await provisionMesh(i.lifecycle, { mesh: i.mesh, version: i.meshVersion, deployed: false, kubeconfigPath: cluster.kubeconfigPath ?? '', where: 'input service_mesh' }, logger, signal);
      if (!i.meshVersion && installed.version) profile = { ...profile, mesh: { ...profile.mesh, version: installed.version } };
    }
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId } = process.env;
    const runUrl = server && repo && runId ? `${server}/${repo}/actions/runs/${runId}` : undefined;
    const outcome = await logger.group('Load', () =>
      runSmpWithLoad({
        profile,
        outDir,
        outDirSource: 'input output_dir',
        thresholds: i.thresholds,
        requestTimeoutMs: i.requestTimeoutMs,
        insecureTls: i.insecureTls,
        logger,
        signal,
        env,
        detailsUri: runUrl,
        scrub: (t) => scrubber.scrub(t),
        version: VERSION,
        noise: i.gate.noise,
        baseline: gate.baseline,
        regression: gate.rules,
      }, { ...i.load, cluster: { kubeconfig, kubeconfigSource: 'input kubeconfig' }, logger }, i.comparison),
    );
    logger.info(outcome.table);
    for (const t of [...outcome.thresholds, ...(outcome.deltas?.checks ?? [])]) (t.passed ? logger.info : logger.error).call(logger, t.message);
    const { result } = outcome;
    setOutputs({
      ...smpOutputs(result),
      result_file: outcome.files.result,
      output_dir: outDir,
      regression: outcome.deltas?.regression ?? false,
      baseline_source: gate.source,
      deltas: outcome.deltas ? JSON.stringify(outcome.deltas) : '',
    });
    // The files and the summary exist before the first byte goes to the provider.
    await writeJobSummary(outcome.summaryMarkdown);

    const published = await publishFinishedRun(outcome, i.publish, logger, () => publishSmpOutcome(outcome, profile, i.publish, logger));
    const shared = await shareResults(i.github, { action: 'smp', markdown: renderSmpComment(result, outcome.thresholds, outcome.deltas, runUrl), files: Object.values(outcome.files).filter((f) => f !== undefined) }, logger);
    return worstOutcome([outcome, shared, published]);
  });
}

await run(main, ({ logger, signal }) => teardownFromState(logger, signal));
