// @meshspec/core: the engine behind the `meshspec` CLI and both actions.
// Each area re-exports what the actions and other tools use; the GitHub glue is `@meshspec/core/github`.

// Foundations
export * from './errors.js';
export { DEFAULTS } from './defaults.js';
export * from './log.js';
export * from './duration.js';
export * from './redact.js';
export * from './cancel.js';
export { VERSION } from './cli/version.js';

// Meshes
export * from './mesh/registry.js';

// SMP
export * from './smp/profile.js';
export * from './smp/profile-source.js';
export * from './smp/thresholds.js';
export * from './smp/outputs.js';
export type { SmpResult } from './smp/result.js';
export type { FortioResult } from './smp/fortio.js';
// The regression gate's comparison: what the summary, the PR comment and report.html render.
export type { BaselineDeltas, MetricDelta, RegressionCheck, BaselineSource } from './smp/regression.js';
export { renderSmpComment } from './report/smp-deltas.js';

// SMI
export { runSmiSuite, parseSpecs, SPEC_NAMES, SMI_TEST_CASES, type SmiSuiteOptions, type SmiSuiteResult } from './smi/suite.js';
export { parseSmiVersion, DEFAULT_SMI_VERSION, type SmiVersionChoice } from './smi/versions.js';
export { deleteLeftoverNamespaces } from './smi/cleanup.js';
export type { SmiResult } from './smi/result.js';
export type { ConformancePolicy, Verdict } from './smi/scoring.js';

// Provider
export * as provider from './provider/index.js';

// Kubernetes
export { KubeClient } from './kube/client.js';
export { resolveKubeConfig, loadKubeConfigFile, kubeconfigPath, checkReachable, type KubeTarget, type Reachability } from './kube/config.js';

// The flows the CLI and the actions share (docs/architecture.md, "Data flow")
export * from './pipeline/index.js';

// Cluster and mesh lifecycle
export * from './cluster/index.js';
export { ensureMesh, teardownMesh, installableMeshes, type EnsureMeshOptions, type EnsuredMesh, type MeshState } from './mesh/ensure.js';
export * from './download/index.js';

// Gateway API mesh conformance (GAMMA)
export { checkGammaInputs, reproduceInputs, type GammaInputs, type CheckedGammaInputs } from './gamma/inputs.js';
export { checkGammaKubernetes } from './gamma/versions.js';
