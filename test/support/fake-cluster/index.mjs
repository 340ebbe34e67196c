// The fake Kubernetes cluster: API server, store, controllers, CRDs, port-forward.
// startFakeClusterWithMesh() also loads the simulated mesh (./mesh/index.mjs) and wires it in.
import { startFakeCluster } from './api-server.mjs';

export { startFakeCluster } from './api-server.mjs';
export { loadSmiCrds, loadGatewayApiInstall, gatewayApiInstallYaml } from './crds.mjs';
export { createEchoPodRuntime } from './pod-runtime.mjs';

/**
 * Starts a fake cluster with the simulated mesh in the given mode.
 * @param {{ mesh?: string, profile?: string, balancing?: 'random' | 'round-robin', seed?: number, sidecarDelayMs?: number, controlPlane?: string, meshOptions?: Record<string, unknown> } & Parameters<typeof startFakeCluster>[0]} [options]
 *   mesh: 'faithful' (default) or a switch name from the mesh module's SWITCHES;
 *   profile: one real mesh (mesh/profiles.mjs), combinable with a switch;
 *   balancing, seed: how the mesh balances (default random, seeded);
 *   sidecarDelayMs: latency each sidecar hop adds (the caller's outbound, the destination's inbound; default 0);
 *   meshOptions: more options for createMeshSimulation (e.g. random)
 */
export async function startFakeClusterWithMesh(options = {}) {
  const { mesh = 'faithful', profile, balancing, seed, sidecarDelayMs, meshOptions = {}, ...rest } = options;
  const { createMeshSimulation, SWITCHES } = await import('./mesh/index.mjs');
  if (mesh !== 'faithful' && !SWITCHES.includes(mesh)) {
    throw new Error(`unknown mesh mode ${JSON.stringify(mesh)}: use faithful or one of ${SWITCHES.join(', ')}`);
  }
  return startFakeCluster({
    ...rest,
    simulation: ({ store, controlPlane }) =>
      createMeshSimulation({ ...meshOptions, ...(profile ? { profile } : {}), ...(balancing ? { balancing } : {}), ...(seed !== undefined ? { seed } : {}), ...(sidecarDelayMs !== undefined ? { sidecarDelayMs } : {}), store, mode: mesh, controlPlane }),
  });
}
