import type { LoadSourceSettings } from '../pipeline/in-cluster-load.js';
import * as inputs from './inputs.js';

/** smp-action's inputs for load from inside the cluster (internal: true clients): load_pods, load_image, load_namespace, load_start_lead. */
export function readLoadInputs(): Omit<LoadSourceSettings, 'cluster' | 'logger'> {
  return {
    pods: inputs.int('load_pods', { min: 1 }),
    image: inputs.optional('load_image'),
    namespace: inputs.optional('load_namespace'),
    startLeadMs: inputs.duration('load_start_lead'),
    names: { pods: 'input load_pods', image: 'input load_image', namespace: 'input load_namespace' },
  };
}
