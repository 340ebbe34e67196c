import { inputError } from '../errors.js';
import * as inputs from './inputs.js';

/** smp-action's mesh overhead inputs (README, "Measuring the mesh's cost"). */
export interface ComparisonInputs {
  compare: boolean;
  /** A workspace path; absent: the sample app. */
  serviceManifest?: string;
}

export function readComparisonInputs(): ComparisonInputs {
  const compare = inputs.bool('compare_without_mesh', false);
  const serviceManifest = inputs.optional('service_manifest');
  if (serviceManifest && !compare) throw inputError('input service_manifest: the service is deployed only for a comparison; set compare_without_mesh: true, or leave service_manifest empty');
  return { compare, serviceManifest };
}
