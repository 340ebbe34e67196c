export * from './smp.js';
export { runSmiConformance, publishSmiOutcome, SMI_RESULT_FILE, JUNIT_FILE, SMI_SUMMARY_FILE, type SmiConformanceOptions, type SmiConformanceOutcome } from './smi.js';
export { runGammaConformance, type GammaRunOptions, type GammaRunOutcome } from './gamma.js';
export { checkPublishSettings, publishSmpRun, publishSmiRun, publishFailureKind, publishMarkdown, providerOptionsFrom, type PublishSettings, type PublishReport } from './publish.js';
export { type LoadSourceSettings } from './in-cluster-load.js';
export { checkComparison, runSmpWithLoad, type ComparisonRequest } from './smp-overhead.js';
