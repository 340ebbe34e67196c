import { resolve } from 'node:path';
import { inputError } from '../errors.js';
import type { ComparisonRequest } from '../pipeline/smp-overhead.js';
import { ACTION_WORDING } from '../wording.js';
import * as inputs from './inputs.js';

/**
 * smp-action's mesh overhead inputs (README, "Measuring the mesh's cost"): `compare_without_mesh`
 * and `service_manifest` (a workspace path). Undefined when no comparison is asked for.
 */
export function readComparisonInputs(workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()): ComparisonRequest | undefined {
  const compare = inputs.bool('compare_without_mesh', false);
  const manifest = inputs.optional('service_manifest');
  if (manifest && !compare) throw inputError('input service_manifest: the service is deployed only for a comparison; set compare_without_mesh: true, or leave service_manifest empty');
  if (!compare) return undefined;
  return { option: 'input compare_without_mesh', manifest: manifest ? { path: resolve(workspace, manifest), label: 'input service_manifest' } : undefined, wording: ACTION_WORDING };
}
