// Admission of batch/v1 Jobs: the defaults and the validation kube-apiserver applies, in its order
// (defaulting runs before validation, so a Job with neither `completions` nor `parallelism` gets both 1).
// Sources (kubernetes/kubernetes v1.30):
// - pkg/apis/batch/v1/defaults.go, SetDefaults_Job: completions and parallelism 1 when both are unset,
//   parallelism 1 when unset, backoffLimit 6, completionMode NonIndexed, suspend false,
//   podReplacementPolicy TerminatingOrFailed; the pod template gets the pod defaults (restartPolicy Always).
// - pkg/registry/batch/job/strategy.go, generateSelector (manualSelector unset or false): template labels
//   `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name` and the legacy `controller-uid`,
//   `job-name`; selector matchLabels `batch.kubernetes.io/controller-uid: <uid>`.
// - pkg/apis/batch/validation/validation.go, validateJobSpec: parallelism, completions, activeDeadlineSeconds,
//   backoffLimit and ttlSecondsAfterFinished non-negative; completionMode NonIndexed | Indexed; Indexed needs
//   `completions` ("when completion mode is Indexed") and at most 100000 parallelism; the template's
//   restartPolicy must be OnFailure or Never (so a template without one, defaulted to Always, is refused);
//   the selector must match the template labels; selector, template, completionMode are immutable.
// - backoffLimitPerIndex and maxFailedIndexes (KEP-3850; feature gate JobBackoffLimitPerIndex: alpha and off in
//   1.28, beta and on from 1.29, GA in 1.33, kubernetes/website feature-gates/JobBackoffLimitPerIndex.md):
//   on a server whose gate is off, kube-apiserver drops both fields on create (pkg/registry/batch/job/strategy.go
//   drops the fields of disabled features), so the stored Job has neither and backoffLimit applies alone; from
//   1.29, backoffLimit defaults to MaxInt32 when backoffLimitPerIndex is set (defaults.go: "Defaults to 6, unless
//   backoffLimitPerIndex (only Indexed Job) is specified"), and both fields "require indexed completion mode",
//   must not be negative, and maxFailedIndexes needs backoffLimitPerIndex and at most `completions`
//   (validation.go, validateJobSpec).
import { randomUUID } from 'node:crypto';
import { fieldErrors } from './errors.mjs';
import { compileLabelSelector, matchesLabels } from './selectors.mjs';

const MAX_PARALLELISM_INDEXED = 100000;
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const MAX_INT32 = 2147483647;

/** Whether this server's JobBackoffLimitPerIndex gate is on by default (1.29 and later). @param {string} version */
function backoffLimitPerIndexServed(version) {
  const m = /^v(\d+)\.(\d+)/.exec(version);
  return !m || Number(m[1]) > 1 || Number(m[2]) >= 29;
}

/**
 * Defaults and validates a Job (mutates `obj`).
 * @param {any} obj @param {any} old the stored Job on update
 * @param {(spec: any) => void} defaultPodSpec @param {(spec: any, at: string) => any[]} validatePodSpec
 * @param {string} [kubernetesVersion] the server's version: it decides whether backoffLimitPerIndex is served
 */
export function admitJob(obj, old, defaultPodSpec, validatePodSpec, kubernetesVersion = 'v1.30.0') {
  const spec = (obj.spec ??= {});
  if (!backoffLimitPerIndexServed(kubernetesVersion) && old?.spec?.backoffLimitPerIndex == null) {
    delete spec.backoffLimitPerIndex;
    delete spec.maxFailedIndexes;
  }
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  const template = (spec.template ??= {});
  template.metadata ??= {};
  defaultPodSpec((template.spec ??= {}));
  if (!old) {
    obj.metadata.uid = randomUUID(); // the store keeps it: the generated selector needs it before the object is stored
    obj.status = {};
    if (spec.manualSelector !== true) generateSelector(obj);
  }

  const causes = [];
  const nonNegative = (field) => {
    const v = spec[field];
    if (v != null && (!Number.isInteger(v) || v < 0)) causes.push(fieldErrors.invalid(`spec.${field}`, v, 'must be greater than or equal to 0'));
  };
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) nonNegative(f);
  if (spec.completionMode !== 'Indexed') {
    for (const f of ['backoffLimitPerIndex', 'maxFailedIndexes']) if (spec[f] != null) causes.push(fieldErrors.invalid(`spec.${f}`, spec[f], 'requires indexed completion mode'));
  } else if (spec.maxFailedIndexes != null) {
    if (spec.backoffLimitPerIndex == null) causes.push(fieldErrors.required('spec.backoffLimitPerIndex', 'when maxFailedIndexes is specified'));
    if (spec.completions != null && spec.maxFailedIndexes > spec.completions) causes.push(fieldErrors.invalid('spec.maxFailedIndexes', spec.maxFailedIndexes, 'must be less than or equal to completions'));
  }
  if (!COMPLETION_MODES.includes(spec.completionMode)) causes.push(fieldErrors.notSupported('spec.completionMode', spec.completionMode, COMPLETION_MODES));
  if (spec.completionMode === 'Indexed') {
    if (spec.completions == null) causes.push(fieldErrors.required('spec.completions', 'when completion mode is Indexed'));
    if (spec.parallelism > MAX_PARALLELISM_INDEXED) {
      causes.push(fieldErrors.invalid('spec.parallelism', spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
    }
  }
  if (!spec.selector) causes.push(fieldErrors.required('spec.selector'));
  else if (!matchesLabels(compileLabelSelector(spec.selector), template.metadata.labels)) {
    causes.push(fieldErrors.invalid('spec.template.metadata.labels', template.metadata.labels ?? {}, '`selector` does not match template `labels`'));
  }
  causes.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  if (!['OnFailure', 'Never'].includes(template.spec.restartPolicy)) {
    causes.push(fieldErrors.notSupported('spec.template.spec.restartPolicy', template.spec.restartPolicy, ['OnFailure', 'Never']));
  }
  if (old) {
    for (const f of ['selector', 'template', 'completionMode']) {
      if (JSON.stringify(old.spec?.[f]) !== JSON.stringify(spec[f])) causes.push(fieldErrors.invalid(`spec.${f}`, spec[f], 'field is immutable'));
    }
    if (old.spec?.completions !== spec.completions && !(spec.completionMode === 'Indexed' && spec.completions === spec.parallelism)) {
      causes.push(fieldErrors.invalid('spec.completions', spec.completions, 'field is immutable'));
    }
  }
  return causes;
}

function generateSelector(job) {
  const labels = (job.spec.template.metadata.labels ??= {});
  const uid = job.metadata.uid;
  labels['batch.kubernetes.io/controller-uid'] ??= uid;
  labels['batch.kubernetes.io/job-name'] ??= job.metadata.name;
  labels['controller-uid'] ??= uid;
  labels['job-name'] ??= job.metadata.name;
  const selector = (job.spec.selector ??= {});
  selector.matchLabels ??= {};
  selector.matchLabels['batch.kubernetes.io/controller-uid'] ??= uid;
}
