import type { EnsuredCluster } from '../cluster/ensure.js';
import { kindOf } from '../errors.js';
import type { GitHubLogger } from './logger.js';
import { uploadAndLinkReport } from './artifact.js';
import { diagnose, provisionCluster, type LifecycleInputs } from './lifecycle.js';
import type { ArtifactInputs } from './publish-inputs.js';
import { phasesMarkdown, writeJobSummary } from './summary.js';

/** The cluster a step runs on, and the namespaces its body learns are worth diagnosing (the mesh's). */
export interface ClusterStep {
  cluster: EnsuredCluster;
  namespaces: string[];
}

interface StepFrame {
  lifecycle: LifecycleInputs;
  meshDeployed?: boolean;
  outDir: string;
  artifact: ArtifactInputs;
  logger: GitHubLogger;
  signal: AbortSignal;
  /** False for a step that needs no cluster (smp-action loading external endpoints): the body gets none. */
  provision?: boolean;
}

/**
 * The frame every action main shares: provision the cluster (unless `provision` is false), run the
 * body, collect diagnostics into the output directory when something in the cluster failed (an
 * `infra` error, not a cancellation: a cluster or mesh that did not come up, a load pod that
 * failed), and, whatever happened, upload the output directory (a failed run's partial result and
 * diagnostics too: the runner's disk goes with the job) and append the phase timings to the job
 * summary.
 */
export function inProvisionedCluster<T>(o: StepFrame & { provision?: true }, body: (step: ClusterStep) => Promise<T>): Promise<T>;
export function inProvisionedCluster<T>(o: StepFrame, body: (step: Partial<ClusterStep> & Pick<ClusterStep, 'namespaces'>) => Promise<T>): Promise<T>;
export async function inProvisionedCluster<T>(o: StepFrame, body: (step: ClusterStep) => Promise<T>): Promise<T> {
  const provision = o.provision ?? true;
  const step: Partial<ClusterStep> & Pick<ClusterStep, 'namespaces'> = { namespaces: [] };
  try {
    if (provision) step.cluster = await provisionCluster(o.lifecycle, o.outDir, o.logger, o.signal, o.meshDeployed);
    return await body(step as ClusterStep);
  } catch (error) {
    if (provision && !o.signal.aborted && kindOf(error) === 'infra') await diagnose(o.outDir, step.cluster, step.namespaces, o.logger);
    throw error;
  } finally {
    await uploadAndLinkReport(o.outDir, o.artifact, o.logger);
    await writeJobSummary(phasesMarkdown(o.logger.timings));
  }
}
