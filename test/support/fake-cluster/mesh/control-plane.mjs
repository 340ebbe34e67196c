// What a mesh's control plane looks like in a cluster, kept small: its namespace and the
// Deployment(s) a real install creates, with the names, labels and image tags real installs use
// (so lifecycle code can verify `mesh_deployed` and read the version from an image tag), plus
// how a namespace opts into sidecar injection (the same markers as packages/core/src/mesh/registry.ts;
// test/mesh-sim/control-plane.test.ts keeps the two in step).
//
// Versions are the latest releases recorded in research/release-assets.md.

/**
 * @typedef {object} ControlPlane
 * @property {string} id
 * @property {string} namespace
 * @property {string} defaultVersion
 * @property {Record<string, string>} [namespaceLabels]
 * @property {(v: string) => Array<{ name: string, image: string, labels: Record<string, string>, namespace?: string }>} deployments
 * @property {{ labels?: Record<string, string>, annotations?: Record<string, string> }} injection
 * @property {'injected' | 'all'} sidecars  `all`: every pod is in the mesh without opting in
 * @property {'namespace-or-pod' | 'pod'} [markersOn]  where the injector reads its markers (default: either)
 * @property {string[]} [meshDomains]  DNS zones the mesh serves
 * @property {{ name: string, image: (v: string) => string }} [sidecar]  the container its injector adds to a pod
 *   (non-native: a regular container that runs until the pod is deleted, so a Job's pod never completes)
 */

/** @type {Record<string, ControlPlane>} */
const CONTROL_PLANES = {
  osm: {
    id: 'osm',
    namespace: 'osm-system',
    defaultVersion: 'v1.2.4',
    deployments: (v) =>
      ['osm-controller', 'osm-injector', 'osm-bootstrap'].map((name) => ({
        name,
        image: `openservicemesh/${name}:${v}`,
        labels: {
          app: name,
          'app.kubernetes.io/name': 'openservicemesh.io',
          'app.kubernetes.io/instance': 'osm',
          'app.kubernetes.io/version': v,
          meshName: 'osm',
        },
      })),
    injection: {
      labels: { 'openservicemesh.io/monitored-by': 'osm' },
      annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' },
    },
    sidecars: 'injected',
    sidecar: { name: 'envoy', image: () => 'docker.io/envoyproxy/envoy-distroless:v1.22.2' },
  },
  linkerd: {
    id: 'linkerd',
    namespace: 'linkerd',
    defaultVersion: 'edge-26.8.3',
    namespaceLabels: { 'linkerd.io/is-control-plane': 'true', 'linkerd.io/control-plane-ns': 'linkerd' },
    deployments: (v) => [
      ...['destination', 'identity', 'proxy-injector'].map((component) => ({
        name: `linkerd-${component}`,
        image: `cr.l5d.io/linkerd/controller:${v}`,
        labels: {
          'linkerd.io/control-plane-component': component,
          'linkerd.io/control-plane-ns': 'linkerd',
          'app.kubernetes.io/name': component,
          'app.kubernetes.io/part-of': 'Linkerd',
          'app.kubernetes.io/version': v,
        },
      })),
      // The SMI extension (linkerd-smi v0.2.7) that turns TrafficSplits into ServiceProfiles.
      {
        name: 'smi-adaptor',
        namespace: 'linkerd-smi',
        image: 'cr.l5d.io/linkerd/smi-adaptor:v0.2.7',
        labels: { component: 'smi-adaptor', 'linkerd.io/extension': 'smi', 'app.kubernetes.io/version': 'v0.2.7' },
      },
    ],
    injection: { annotations: { 'linkerd.io/inject': 'enabled' } },
    sidecars: 'injected',
    sidecar: { name: 'linkerd-proxy', image: (v) => `cr.l5d.io/linkerd/proxy:${v}` },
  },
  istio: {
    id: 'istio',
    namespace: 'istio-system',
    defaultVersion: '1.30.3',
    deployments: (v) => [
      {
        name: 'istiod',
        image: `docker.io/istio/pilot:${v}`,
        labels: {
          app: 'istiod',
          istio: 'pilot',
          'istio.io/rev': 'default',
          'app.kubernetes.io/name': 'istiod',
          'app.kubernetes.io/part-of': 'istio',
          'app.kubernetes.io/version': v,
        },
      },
    ],
    injection: { labels: { 'istio-injection': 'enabled' } },
    sidecars: 'injected',
    sidecar: { name: 'istio-proxy', image: (v) => `docker.io/istio/proxyv2:${v}` },
  },
  traefik_mesh: {
    id: 'traefik_mesh',
    namespace: 'traefik-mesh',
    defaultVersion: 'v1.4.8',
    deployments: (v) => [
      {
        name: 'traefik-mesh-controller',
        image: `traefik/mesh:${v}`,
        labels: {
          app: 'maesh',
          component: 'controller',
          'app.kubernetes.io/name': 'traefik-mesh',
          'app.kubernetes.io/component': 'controller',
          'app.kubernetes.io/version': v,
        },
      },
    ],
    // Traefik Mesh has no sidecars: its proxies serve `<svc>.<ns>.traefik.mesh` (formerly `.maesh`).
    injection: {},
    sidecars: 'all',
    meshDomains: ['traefik.mesh', 'maesh'],
  },
  consul: {
    id: 'consul',
    namespace: 'consul',
    defaultVersion: '2.0.3',
    deployments: (v) => [
      {
        name: 'consul-connect-injector',
        image: `hashicorp/consul-k8s-control-plane:${v}`,
        labels: { app: 'consul', chart: 'consul-helm', component: 'connect-injector', release: 'consul', 'app.kubernetes.io/version': v },
      },
    ],
    // consul-k8s v2.0.3 reads the annotation on the pod only
    // (control-plane/connect-inject/constants/annotations_and_labels.go; connectInject.default is false).
    injection: { annotations: { 'consul.hashicorp.com/connect-inject': 'true' } },
    markersOn: 'pod',
    sidecars: 'injected',
    sidecar: { name: 'consul-dataplane', image: () => 'hashicorp/consul-dataplane:1.5.0' },
  },
  kuma: {
    id: 'kuma',
    namespace: 'kuma-system',
    defaultVersion: '2.11.0',
    deployments: (v) => [
      {
        name: 'kuma-control-plane',
        image: `docker.io/kumahq/kuma-cp:${v}`,
        labels: {
          app: 'kuma-control-plane',
          'app.kubernetes.io/name': 'kuma',
          'app.kubernetes.io/instance': 'kuma',
          'app.kubernetes.io/version': v,
        },
      },
    ],
    injection: { labels: { 'kuma.io/sidecar-injection': 'enabled' } },
    sidecars: 'injected',
    sidecar: { name: 'kuma-sidecar', image: (v) => `docker.io/kumahq/kuma-dp:${v}` },
  },
};

/** @type {Record<string, string>} */
const ALIASES = {
  open_service_mesh: 'osm',
  openservicemesh: 'osm',
  linkerd2: 'linkerd',
  traefik: 'traefik_mesh',
  maesh: 'traefik_mesh',
  traefikmesh: 'traefik_mesh',
  consul_connect: 'consul',
  hashicorp_consul: 'consul',
};

/**
 * `none` (plain Kubernetes, no control plane, no sidecars) is accepted wherever a mesh id is.
 * @param {string} meshId
 */
export function isNoMesh(meshId) {
  return ['none', 'no_mesh', 'nomesh', 'invalid_mesh'].includes(String(meshId).trim().toLowerCase().replace(/[-\s]+/g, '_'));
}

/** The mesh ids with a simulated control plane. */
export const CONTROL_PLANE_IDS = Object.freeze(Object.keys(CONTROL_PLANES));

/**
 * @param {string} meshId  an id from the registry or a common alias (`open_service_mesh`, `traefik`, ...)
 * @returns {ControlPlane}
 */
export function controlPlane(meshId) {
  const key = String(meshId).trim().toLowerCase().replace(/[-\s]+/g, '_');
  const id = ALIASES[key] ?? key;
  const cp = Object.hasOwn(CONTROL_PLANES, id) ? CONTROL_PLANES[id] : undefined;
  if (!cp) throw new Error(`no simulated control plane for mesh "${meshId}"; known: ${CONTROL_PLANE_IDS.join(', ')}`);
  return cp;
}

/**
 * Namespace(s) and Deployment(s) of a mesh's control plane, as a real install leaves them.
 * @param {string} meshId
 * @param {{ version?: string }} [options]
 * @returns {any[]}
 */
export function controlPlaneManifests(meshId, options = {}) {
  if (isNoMesh(meshId)) return [];
  const cp = controlPlane(meshId);
  const version = options.version ?? cp.defaultVersion;
  const deployments = cp.deployments(version);
  const namespaces = [...new Set([cp.namespace, ...deployments.map((d) => d.namespace ?? cp.namespace)])];
  return [
    ...namespaces.map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...(name === cp.namespace ? cp.namespaceLabels : {}) } },
    })),
    ...deployments.map((d) => {
      /** @type {Record<string, string>} */
      const selector = d.labels.app ? { app: d.labels.app } : { ...d.labels };
      delete selector['app.kubernetes.io/version'];
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: d.name, namespace: d.namespace ?? cp.namespace, labels: { ...d.labels } },
        spec: {
          replicas: 1,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: { ...d.labels } },
            spec: { containers: [{ name: d.name, image: d.image, ports: [{ name: 'http', containerPort: 8080 }] }] },
          },
        },
      };
    }),
  ];
}

/**
 * Does this pod get a sidecar? Injection is decided when the pod starts, from its namespace's
 * and its own labels and annotations (the pod's own settings win, as with the real injectors).
 * @param {ControlPlane | null} cp  null: no mesh, no sidecars
 * @param {any} pod
 * @param {any} [namespace]
 */
export function isInjected(cp, pod, namespace) {
  if (!cp) return false;
  if (cp.sidecars === 'all') return true;
  const markers = { ...cp.injection.labels, ...cp.injection.annotations };
  if (Object.keys(markers).length === 0) return false;
  const ns = cp.markersOn === 'pod' ? undefined : namespace;
  const seen = {
    ...ns?.metadata?.labels,
    ...ns?.metadata?.annotations,
    ...pod?.metadata?.labels,
    ...pod?.metadata?.annotations,
  };
  return Object.entries(markers).every(([k, v]) => seen[k] === v);
}
