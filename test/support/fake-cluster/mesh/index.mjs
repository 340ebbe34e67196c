// The simulated service mesh that the fake Kubernetes API server hosts. See README.md beside
// this file for what it simulates and how each switch breaks one SMI rule.
//
// Contract with the API server (test/support/fake-cluster/api-server.mjs):
//   createMeshSimulation({ store, mode, controlPlane, random }) -> {
//     crdManifests(), aggregatedApis(), podRuntime: { start, stop, logs }, close(), ...
//   }
// `store` is read synchronously: store.list({ group, resource, namespace? }) and
// store.get({ group, resource, namespace, name }). The mesh never writes to it.

import { decide } from './decide.mjs';
import { randomBalancer, roundRobinBalancer } from './balance.mjs';
import { smiCrdManifests } from './crds.mjs';
import { controlPlane as findControlPlane, controlPlaneManifests, isInjected, isNoMesh } from './control-plane.mjs';
import { createMetricsApi, createTrafficRecorder } from './metrics-api.mjs';
import { createPodRuntime } from './pod-runtime.mjs';
import { createSidecar } from './sidecar.mjs';
import { rulesFor } from './switches.mjs';

export { SWITCHES, describeSwitch } from './switches.mjs';
export { controlPlaneManifests, CONTROL_PLANE_IDS } from './control-plane.mjs';

/**
 * @typedef {object} MeshSimulationOptions
 * @property {any} store
 * @property {string} [mode]  `faithful` (default) or a switch name
 * @property {string} [controlPlane]  mesh id (default `osm`); decides how pods opt into sidecars.
 *   `none` simulates plain Kubernetes: no sidecars, nothing enforced.
 * @property {() => number} [random]  seeds load-balancing start points (and draws, with `balancing: 'random'`)
 * @property {'round-robin' | 'random'} [balancing]  default round-robin (see balance.mjs)
 * @property {boolean} [requireInjection]  default true: only pods whose namespace (or own
 *   metadata) carries the mesh's injection markers get a sidecar. false: every pod does.
 * @property {string} [clusterDomain]  default cluster.local
 * @property {number} [metricsWindowMs] default 30000
 * @property {string} [crdDir]  where the SMI CRD YAML files are (see crds.mjs)
 */

/**
 * @param {MeshSimulationOptions} options
 */
export function createMeshSimulation(options) {
  const { store } = options;
  if (!store || typeof store.list !== 'function') throw new Error('createMeshSimulation: a store with list() and get() is required');
  const mode = options.mode ?? 'faithful';
  const rules = rulesFor(mode);
  const meshId = options.controlPlane ?? 'osm';
  const cp = isNoMesh(meshId) ? null : findControlPlane(meshId);
  const random = options.random ?? Math.random;
  const balancer = options.balancing === 'random' ? randomBalancer(random) : roundRobinBalancer(random);
  const recorder = createTrafficRecorder({ windowMs: options.metricsWindowMs });

  /** @param {any} q */
  const list = (q) => {
    try {
      return store.list(q) ?? [];
    } catch {
      return []; // e.g. a resource whose CRD is not installed
    }
  };
  /** The world as decide() sees it, read fresh for every call. */
  const world = () => ({
    services: list({ group: '', resource: 'services' }),
    pods: list({ group: '', resource: 'pods' }),
    trafficTargets: list({ group: 'access.smi-spec.io', resource: 'traffictargets' }),
    httpRouteGroups: list({ group: 'specs.smi-spec.io', resource: 'httproutegroups' }),
    tcpRoutes: list({ group: 'specs.smi-spec.io', resource: 'tcproutes' }),
    udpRoutes: list({ group: 'specs.smi-spec.io', resource: 'udproutes' }),
    trafficSplits: list({ group: 'split.smi-spec.io', resource: 'trafficsplits' }),
  });

  /** Would a pod starting now get a sidecar? @param {any} pod */
  const injectedNow = (pod) => {
    if (!cp) return false;
    if (options.requireInjection === false) return true;
    let ns;
    try {
      ns = store.get({ group: '', resource: 'namespaces', name: pod.metadata?.namespace });
    } catch {
      ns = undefined;
    }
    return isInjected(cp, pod, ns);
  };

  /** @type {ReturnType<typeof createPodRuntime>} */
  let runtime;
  /** @param {any} pod */
  const isMeshed = (pod) => runtime.meshed(pod) ?? injectedNow(pod);
  const decideOptions = {
    rules,
    balancer,
    isMeshed,
    clusterDomain: options.clusterDomain,
    meshDomains: cp?.meshDomains,
  };
  const sidecar = createSidecar({ world, decideOptions, endpointOf: (pod) => runtime.endpoint(pod), recorder });
  runtime = createPodRuntime({ outboundFor: (pod) => (req) => sidecar.request(pod, req), injected: injectedNow });
  const metricsApi = rules.metricsApi ? createMetricsApi({ store, recorder }) : null;

  return {
    mode,
    rules,
    controlPlane: cp?.id ?? 'none',

    /** SMI CRDs (apiextensions.k8s.io/v1) to install at start. */
    crdManifests: () => smiCrdManifests(rules, options.crdDir),

    /** The metrics.smi-spec.io/v1alpha1 API, unless the mode removes it. */
    aggregatedApis: () => (metricsApi ? [metricsApi] : []),

    /** The mesh's control plane objects (namespace, Deployments), to apply at start. */
    controlPlaneManifests: () => controlPlaneManifests(meshId),

    podRuntime: {
      /** @param {any} pod @returns {Promise<{ host: '127.0.0.1', port: number }>} */
      start: (pod) => runtime.start(pod),
      /** @param {any} pod */
      stop: (pod) => runtime.stop(pod),
      /** @param {any} pod */
      logs: (pod) => runtime.logs(pod),
    },

    /** Where a started pod's server listens (for tests that skip port-forward). @param {any} pod */
    endpointOf: (pod) => runtime.endpoint(pod),

    /** Decide one call against the current store (for tests and debugging). @param {import('./decide.mjs').Call} call */
    decide: (call) => decide(world(), call, decideOptions),

    /** What the sidecars have recorded in the metrics window. */
    traffic: () => recorder.samples(),

    async close() {
      sidecar.close();
      await runtime.closeAll();
    },
  };
}

/** @typedef {ReturnType<typeof createMeshSimulation>} MeshSimulation */
