export { run, type ActionContext, type MainOutcome } from './run.js';
export * as inputs from './inputs.js';
export * as state from './state.js';
export { maskSecret, scrubber } from './mask.js';
export { GitHubLogger } from './logger.js';
export { writeJobSummary, setOutputs, phasesMarkdown } from './summary.js';
export { uploadAndLinkReport, validArtifactName } from './artifact.js';
export { readPublishInputs, readArtifactInputs, reportPublish, type ArtifactInputs } from './publish-inputs.js';
export { readLifecycleInputs, provisionCluster, provisionMesh, diagnose, teardownFromState, type LifecycleInputs } from './lifecycle.js';
