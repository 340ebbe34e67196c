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

/**
 * The frame the SMI and GAMMA action mains share: provision the cluster, run the body, collect
 * diagnostics into the output directory when a cluster or mesh did not come up (an `infra` error,
 * not a cancellation), and, whatever happened, upload the output directory and append the phase
 * timings to the job summary.
 */
export async function inProvisionedCluster<T>(
  o: { lifecycle: LifecycleInputs; meshDeployed?: boolean; outDir: string; artifact: ArtifactInputs; logger: GitHubLogger; signal: AbortSignal },
  body: (step: ClusterStep) => Promise<T>,
): Promise<T> {
  let step: ClusterStep | undefined;
  try {
    step = { cluster: await provisionCluster(o.lifecycle, o.outDir, o.logger, o.signal, o.meshDeployed), namespaces: [] };
    return await body(step);
  } catch (error) {
    if (!o.signal.aborted && kindOf(error) === 'infra') await diagnose(o.outDir, step?.cluster, step?.namespaces ?? [], o.logger);
    throw error;
  } finally {
    await uploadAndLinkReport(o.outDir, o.artifact, o.logger);
    await writeJobSummary(phasesMarkdown(o.logger.timings));
  }
}
