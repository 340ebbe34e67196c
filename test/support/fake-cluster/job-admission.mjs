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
import { randomUUID } from 'node:crypto';
import { fieldErrors } from './errors.mjs';
import { compileLabelSelector, matchesLabels } from './selectors.mjs';

const MAX_PARALLELISM_INDEXED = 100000;
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];

/**
 * Defaults and validates a Job (mutates `obj`).
 * @param {any} obj @param {any} old the stored Job on update
 * @param {(spec: any) => void} defaultPodSpec @param {(spec: any, at: string) => any[]} validatePodSpec
 */
export function admitJob(obj, old, defaultPodSpec, validatePodSpec) {
  const spec = (obj.spec ??= {});
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
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
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) nonNegative(f);
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
