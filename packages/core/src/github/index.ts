export { run, type ActionContext, type MainOutcome } from './run.js';
export * as inputs from './inputs.js';
export * as state from './state.js';
export { maskSecret, scrubber } from './mask.js';
export { GitHubLogger } from './logger.js';
export { writeJobSummary, setOutputs } from './summary.js';
