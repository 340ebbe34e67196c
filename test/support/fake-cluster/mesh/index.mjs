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
import { mulberry32, randomBalancer, roundRobinBalancer } from './balance.mjs';
import { alterCrds, smiCrdManifests } from './crds.mjs';
import { meshProfile, preferredVersions, profileCrds } from './profiles.mjs';
import { controlPlane as findControlPlane, controlPlaneManifests, isInjected, isNoMesh } from './control-plane.mjs';
import { createMetricsApi, createTrafficRecorder } from './metrics-api.mjs';
import { createPodRuntime } from './pod-runtime.mjs';
import { createSidecar } from './sidecar.mjs';
import { rulesFor } from './switches.mjs';

export { SWITCHES, describeSwitch } from './switches.mjs';
export { controlPlaneManifests, CONTROL_PLANE_IDS } from './control-plane.mjs';
export { PROFILE_NAMES } from './profiles.mjs';

/**
 * @typedef {object} MeshSimulationOptions
 * @property {any} store
 * @property {string} [mode]  `faithful` (default) or a switch name
 * @property {string} [controlPlane]  mesh id (default `osm`); decides how pods opt into sidecars.
 *   `none` simulates plain Kubernetes: no sidecars, nothing enforced.
 * @property {string} [profile]  one real mesh (profiles.mjs): its CRDs, routing and control plane
 * @property {number} [seed]  seeds the balancer (default: a random seed, reported as `seed`)
 * @property {() => number} [random]  overrides the seeded generator
 * @property {'round-robin' | 'random'} [balancing]  default `random`: a weighted draw per call, as
 *   real proxies balance (Envoy's weighted clusters, Linkerd's dst overrides); see balance.mjs
 * @property {boolean} [requireInjection]  default true: only pods whose namespace (or own
 *   metadata) carries the mesh's injection markers get a sidecar. false: every pod does.
 * @property {string[]} [unpullableImages]  images the node cannot pull: their pods wait in ImagePullBackOff
 * @property {string} [clusterDomain]  default cluster.local
 * @property {number} [metricsWindowMs] default 30000
 * @property {number} [sidecarDelayMs] latency every sidecar adds per hop (caller's outbound, destination's inbound); default 0
 */

/**
 * @param {MeshSimulationOptions} options
 */
export function createMeshSimulation(options) {
  const { store } = options;
  if (!store || typeof store.list !== 'function') throw new Error('createMeshSimulation: a store with list() and get() is required');
  const mode = options.mode ?? 'faithful';
  const rules = rulesFor(mode);
  const profile = options.profile ? meshProfile(options.profile) : undefined;
  const meshId = profile?.controlPlane ?? options.controlPlane ?? 'osm';
  const cp = isNoMesh(meshId) ? null : findControlPlane(meshId);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = options.random ?? mulberry32(seed);
  const balancing = options.balancing ?? 'random';
  if (balancing !== 'random' && balancing !== 'round-robin') throw new Error(`unknown balancing "${balancing}"; use random or round-robin`);
  const balancer = balancing === 'random' ? randomBalancer(random) : roundRobinBalancer(random);
  const recorder = createTrafficRecorder({ windowMs: options.metricsWindowMs });

  /** @param {any} q */
  const list = (q) => {
    try {
      return store.list(q) ?? [];
    } catch {
      return []; // e.g. a resource whose CRD is not installed
    }
  };
  /** @type {{ rv: string, world: import('./decide.mjs').World } | undefined} */
  let snapshot;
  /** The world as decide() sees it: the store's current objects (read again whenever the store has changed, so a
   * busy data plane does not copy every object for every call; decide() only reads it). */
  const world = () => {
    const rv = typeof store.resourceVersion === 'string' ? store.resourceVersion : undefined;
    if (rv !== undefined && snapshot?.rv === rv) return snapshot.world;
    const w = readWorld();
    if (rv !== undefined) snapshot = { rv, world: w };
    return w;
  };
  const readWorld = () => ({
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
    return isInjected(cp, pod, namespaceOf(pod.metadata?.namespace));
  };
  /** @type {{ rv: string | undefined, byName: Map<string, any> }} namespaces read since the store last changed */
  const namespaces = { rv: undefined, byName: new Map() };
  /** @param {string} name */
  const namespaceOf = (name) => {
    const rv = typeof store.resourceVersion === 'string' ? store.resourceVersion : undefined;
    if (rv === undefined || rv !== namespaces.rv) {
      namespaces.rv = rv;
      namespaces.byName.clear();
    }
    if (!namespaces.byName.has(name)) {
      let ns;
      try {
        ns = store.get({ group: '', resource: 'namespaces', name });
      } catch {
        ns = undefined;
      }
      if (rv !== undefined) namespaces.byName.set(name, ns);
      return ns;
    }
    return namespaces.byName.get(name);
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
    routing: profile?.routing ?? 'smi',
  };
  const delayMs = options.sidecarDelayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`sidecarDelayMs must be a number of milliseconds >= 0, not ${JSON.stringify(options.sidecarDelayMs)}`);
  const sidecar = createSidecar({ world, decideOptions, endpointOf: (pod) => runtime.endpoint(pod), recorder, delayMs });
  runtime = createPodRuntime({ outboundFor: (pod) => (req) => sidecar.request(pod, req), injected: injectedNow });
  const metricsApi = rules.metricsApi && (profile?.metricsApi ?? true) ? createMetricsApi({ store, recorder, rules }) : null;

  /** The node cannot pull these images (`unpullableImages`): the error kubelet reports, with its reason. @param {string} image */
  const pullError = (image) =>
    (options.unpullableImages ?? []).includes(image)
      ? Object.assign(new Error(`Back-off pulling image "${image}": ErrImagePull: failed to resolve reference "${image}": not found`), { reason: 'ImagePullBackOff' })
      : undefined;

  /** The control plane's start-up check (profile.prepare) fails its pods, as a failing init container would. @param {any} pod */
  const start = (pod) => {
    const missing = (pod.spec?.containers ?? []).map((/** @type {any} */ c) => pullError(c.image)).find(Boolean);
    if (missing) return Promise.reject(missing);
    if (profile?.prepare && cp && pod.metadata?.namespace === cp.namespace) {
      const failed = profile.prepare(preferredVersions(list({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })));
      if (failed) return Promise.reject(new Error(`prepare: ${failed}`));
    }
    return runtime.start(pod);
  };

  return {
    mode,
    rules,
    controlPlane: cp?.id ?? 'none',
    profile: profile?.id,
    balancing,
    seed,
    sidecarDelayMs: delayMs,

    /** SMI CRDs (apiextensions.k8s.io/v1) to install at start: the profile's own, or smi-sdk-go's. */
    crdManifests: () => (profile ? alterCrds(profileCrds(profile), rules) : smiCrdManifests(rules)),

    /** The metrics.smi-spec.io/v1alpha1 API, unless the mode removes it. */
    aggregatedApis: () => (metricsApi ? [metricsApi] : []),

    /** The mesh's control plane objects (namespace, Deployments), to apply at start. */
    controlPlaneManifests: () => controlPlaneManifests(meshId),

    podRuntime: {
      /** @param {any} pod @returns {Promise<{ host: '127.0.0.1', port: number }>} */
      start: (pod) => start(pod),
      /** @param {any} pod */
      stop: (pod) => runtime.stop(pod),
      /** @param {any} pod */
      logs: (pod) => runtime.logs(pod),
      pullError,
      /** The outbound path of a process pod (egress.mjs): its sidecar, or plain routing when it has none. @param {any} pod */
      outboundFor: (pod) => (/** @type {import('./sample-app.mjs').OutboundRequest} */ req) => sidecar.request(pod, req),
      /** The sidecar container the injector adds to a pod starting now, if any. @param {any} pod */
      sidecarFor: (pod) => (cp?.sidecar && injectedNow(pod) ? { name: cp.sidecar.name, image: cp.sidecar.image(cp.defaultVersion) } : undefined),
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
