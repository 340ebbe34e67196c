export * from './smp.js';
export { runSmiConformance, SMI_RESULT_FILE, JUNIT_FILE, SMI_SUMMARY_FILE, type SmiConformanceOptions, type SmiConformanceOutcome } from './smi.js';
export { checkPublishSettings, publishSmpRun, publishSmiRun, publishFailureKind, publishMarkdown, providerOptionsFrom, type PublishSettings, type PublishReport } from './publish.js';
