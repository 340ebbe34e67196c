import { MemoryLogger } from '../../packages/core/src/log.js';
import { requireMesh } from '../../packages/core/src/mesh/registry.js';
import { KubeClient } from '../../packages/core/src/kube/client.js';
import { runSmiSuite, type SmiSuiteOptions, type SmiSuiteResult } from '../../packages/core/src/smi/suite.js';
import { scoreSpec } from '../../packages/core/src/smi/scoring.js';
import { KubeConfig } from '@kubernetes/client-node';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';

export interface FakeCluster {
  url: string;
  kubeconfig: string;
  writeKubeconfig(path: string): Promise<string>;
  store: { list(q: { group?: string; resource: string; namespace?: string }): { metadata: { name: string; namespace?: string } }[] };
  close(): Promise<void>;
}

/**
 * A fake cluster whose simulated mesh runs in `mode` (faithful or a switch name): the generic
 * simulation with OSM's control plane, or one mesh's `profile`; balancing is a seeded weighted draw.
 */
export async function fakeCluster(mode = 'faithful', options: { profile?: string; seed?: number } = {}): Promise<FakeCluster> {
  return (await startFakeClusterWithMesh({ mesh: mode, controlPlane: 'osm', profile: options.profile, balancing: 'random', seed: options.seed })) as FakeCluster;
}

/** The seeds every randomized expectation holds for. */
export const SEEDS = [1, 2, 3, 4, 5];

export function kubeFor(cluster: FakeCluster): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  return new KubeClient(kc);
}

/** Runs the suite against a fake cluster, as OSM, with a step timeout short enough for failures to show fast. */
export async function runAgainst(cluster: FakeCluster, options: Partial<SmiSuiteOptions> = {}): Promise<{ suite: SmiSuiteResult; logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  const suite = await runSmiSuite({ kube: kubeFor(cluster), mesh: requireMesh('osm', 'test'), stepTimeoutMs: 5_000, logger, ...options });
  return { suite, logger };
}

/** `spec: STATUS passed/steps [failed step: reason]`, for readable assertion failures. */
export function outline(suite: SmiSuiteResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of suite.cases) {
    const s = scoreSpec(c);
    const failed = c.steps.find((x) => x.status === 'failed' || x.status === 'cancelled');
    out[c.spec] = `${s.status} ${s.passed}/${s.steps}${failed ? ` step ${failed.number}-${failed.name}: ${failed.reason}` : ''}`;
  }
  return out;
}

export function namespacesLeft(cluster: FakeCluster): string[] {
  return cluster.store
    .list({ group: '', resource: 'namespaces' })
    .map((n) => n.metadata.name)
    .filter((n) => n.startsWith('meshspec-'));
}
