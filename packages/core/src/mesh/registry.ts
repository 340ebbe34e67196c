import { inputError } from '../errors.js';
import { consulInstaller } from './consul.js';
import type { MeshInstaller } from './installer.js';
import { istioInstaller } from './istio.js';
import { kumaInstaller } from './kuma.js';
import { linkerdInstaller } from './linkerd.js';
import { osmInstaller } from './osm.js';
import { traefikMeshInstaller } from './traefik-mesh.js';

/** Labels and annotations on a namespace (`labels`, `annotations`) or on each pod template (`podAnnotations`). */
export interface MeshMarkers {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  podAnnotations?: Record<string, string>;
}

/** The SMI specs, as the suite names them. */
export type SmiSpecName = 'traffic-access' | 'traffic-spec' | 'traffic-split' | 'traffic-metrics';

/**
 * One row per mesh: the names Meshery users type, the SMP enum number, how a namespace opts into
 * sidecar injection, and what SMI support the mesh claims today. Installers (issue: lifecycle)
 * hang off the same ids, so `mesh.type` in a profile and `service_mesh` in a workflow read alike.
 */
export interface MeshInfo {
  /** Our canonical id, used in file names and the summary. */
  id: string;
  /** Human name. */
  displayName: string;
  /** SMP `ServiceMesh.Type` enum number (protos/service_mesh.proto). */
  smpType: number;
  /** SMP enum name, e.g. OPEN_SERVICE_MESH. */
  smpName: string;
  /** Every other spelling accepted (compared case-insensitively, `-`/`_`/space folded). */
  aliases: string[];
  /**
   * Labels and annotations that make the mesh inject its sidecar: on the namespace (`labels`,
   * `annotations`), or on each pod template (`podAnnotations`) for meshes that read them there.
   */
  injection: MeshMarkers;
  /**
   * The mesh's explicit "do not inject here" markers, where it has them: the plain side of a mesh
   * overhead comparison (smp/overhead/) carries them, so a mesh installed to inject every
   * namespace still leaves that side alone.
   */
  optOut?: MeshMarkers;
  /** SMI specs the mesh claims to implement today; the suite scores what it really serves. */
  smiSupport: SmiSpecName[];
  /** A note on SMI support shown in the docs and the summary. */
  smiNote: string;
  /** Whether the project is archived upstream. */
  archived?: boolean;
  /** Installs and removes the mesh (src/mesh/<mesh>.ts). Without one, only `mesh_deployed: true` works. */
  installer?: MeshInstaller;
  /** The version installed when `mesh_version` is empty (research/release-assets.md). */
  defaultVersion?: string;
  /**
   * A Kubernetes version the mesh is known to work on: what `meshspec cluster up` and the e2e
   * matrix start for it. `[U]` in a comment marks a choice upstream never tested.
   */
  kubernetesVersion?: string;
  /** How the Gateway API mesh conformance suite (GAMMA) runs against this mesh; absent: no GAMMA support. */
  gamma?: GammaSettings;
}

/** A test the suite is told to skip for a mesh, and the upstream issue that justifies it. */
export interface KnownSkip {
  test: string;
  issue: string;
}

/**
 * GAMMA settings, turned into the suite's flags by gamma/suite-flags.ts. Feature names are those of
 * sigs.k8s.io/gateway-api pkg/features at the pinned version; each profile's core features
 * (Mesh, HTTPRoute, GRPCRoute) are added by the suite itself (conformance/utils/suite/suite.go,
 * NewConformanceTestSuite), so only extended and auxiliary features are listed.
 */
export interface GammaSettings {
  /** The upstream identity for the report's implementation fields (`version` is the installed one). */
  implementation: { organization: string; project: string; url: string; contact: string[] };
  /** `--conformance-profiles` by default. */
  profiles: string[];
  /** `--supported-features`. */
  supportedFeatures: string[];
  /** `--exempt-features`, always with Gateway and ReferenceGrant (there is no Gateway in a mesh run). */
  exemptFeatures: string[];
  /** `--skip-tests`. */
  skipTests: KnownSkip[];
  /** Notes for the docs: what the install does differently for GAMMA. */
  note: string;
}

/** Mesh extended features of MESH-HTTP and MESH-GRPC (conformance/utils/suite/profiles.go, v1.6.1). */
const MESH_EXTENDED = [
  'MeshClusterIPMatching', 'MeshConsumerRoute', 'MeshHTTPRouteBackendRequestHeaderModification', 'MeshHTTPRouteNamedRouteRule',
  'MeshHTTPRouteQueryParamMatching', 'MeshHTTPRouteRedirectPath', 'MeshHTTPRouteRedirectPort', 'MeshHTTPRouteRewritePath', 'MeshHTTPRouteSchemeRedirect',
];
/**
 * Features some mesh tests need beyond the profile's (MeshFrontend, MeshPorts and MeshConsumerRoute
 * also need response-header modification and parentRef ports): such tests run but count towards no
 * profile, so claiming them only adds evidence.
 */
const MESH_AUXILIARY = ['HTTPRouteResponseHeaderModification', 'HTTPRouteParentRefPort'];
const except = (all: string[], ...not: string[]) => all.filter((f) => !not.includes(f));
const NO_GATEWAY = ['Gateway', 'ReferenceGrant'];

export const MESHES: readonly MeshInfo[] = [
  { id: 'none', displayName: 'No mesh', smpType: 0, smpName: 'INVALID_MESH', aliases: ['invalid_mesh', 'no_mesh', 'nomesh', ''],
    injection: {}, smiSupport: [], smiNote: 'Plain Kubernetes: nothing enforces SMI.' },
  { id: 'app_mesh', displayName: 'AWS App Mesh', smpType: 1, smpName: 'APP_MESH', aliases: ['appmesh', 'aws_app_mesh'],
    injection: { labels: { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' } }, smiSupport: [], smiNote: 'No SMI support; runs only on EKS.' },
  { id: 'consul', displayName: 'Consul', smpType: 2, smpName: 'CONSUL', aliases: ['consul_connect', 'hashicorp_consul'],
    installer: consulInstaller, defaultVersion: '2.0.3', kubernetesVersion: 'v1.35.1', // chart kubeVersion >=1.22; 1.35 [U]
    // consul-k8s v2.0.3 reads connect-inject on the pod, never on its namespace
    // (control-plane/connect-inject/constants/annotations_and_labels.go), and connectInject.default is false.
    injection: { podAnnotations: { 'consul.hashicorp.com/connect-inject': 'true' } },
    // The same annotation set to "false" keeps a pod out even where connectInject.default is true
    // (developer.hashicorp.com/consul/docs/k8s/annotations-and-labels: "If this is false then injection is disabled").
    optOut: { podAnnotations: { 'consul.hashicorp.com/connect-inject': 'false' } }, smiSupport: [],
    smiNote: "Consul's SMI controller used apiextensions.k8s.io/v1beta1 CRDs and cannot install on Kubernetes 1.22 or newer." },
  { id: 'istio', displayName: 'Istio', smpType: 3, smpName: 'ISTIO', aliases: [],
    installer: istioInstaller, defaultVersion: '1.30.3', kubernetesVersion: 'v1.35.1', // Istio 1.30 needs 1.32 or newer
    injection: { labels: { 'istio-injection': 'enabled' } },
    // istio.io analyzer IST0102/IST0148: `istio-injection=disabled` marks a namespace as not injected,
    // also when the injector is installed with enableNamespacesByDefault.
    optOut: { labels: { 'istio-injection': 'disabled' } }, smiSupport: [],
    smiNote: "Istio's SMI adapter used apiextensions.k8s.io/v1beta1 CRDs and cannot install on Kubernetes 1.22 or newer.",
    // Istio 1.30.1's report for Gateway API v1.5 (conformance/reports/v1.5/istio-istio/) claims every Mesh
    // extended feature but MeshClusterIPMatching, and only MESH-HTTP; its own harness
    // (tests/integration/pilot/gateway_conformance_test.go) labels namespaces istio-injection=enabled.
    gamma: {
      implementation: { organization: 'istio', project: 'istio', url: 'https://istio.io/', contact: ['@istio/maintainers'] },
      profiles: ['MESH-HTTP'],
      supportedFeatures: [...except(MESH_EXTENDED, 'MeshClusterIPMatching'), ...MESH_AUXILIARY],
      exemptFeatures: [...NO_GATEWAY, 'MeshClusterIPMatching'],
      skipTests: [{ test: 'MeshFrontendHostname', issue: 'https://github.com/istio/istio/issues/44702' }],
      note: 'istiod (minimal profile) with sidecar injection by namespace label; Istio reads the Gateway API CRDs installed before it.',
    } },
  { id: 'kuma', displayName: 'Kuma', smpType: 4, smpName: 'KUMA', aliases: [],
    installer: kumaInstaller, defaultVersion: '2.11.0', kubernetesVersion: 'v1.35.1', // Kuma 2.11 on 1.35 [U]
    injection: { labels: { 'kuma.io/sidecar-injection': 'enabled' } },
    // kuma.io/docs "Data plane on Kubernetes": the label takes enabled or disabled.
    optOut: { labels: { 'kuma.io/sidecar-injection': 'disabled' } }, smiSupport: [], smiNote: 'No SMI support.' },
  { id: 'linkerd', displayName: 'Linkerd', smpType: 5, smpName: 'LINKERD', aliases: ['linkerd2'],
    installer: linkerdInstaller, defaultVersion: 'edge-26.8.3', kubernetesVersion: 'v1.35.1', // edge-26.5.1 and later need 1.31 or newer
    injection: { annotations: { 'linkerd.io/inject': 'enabled' } },
    // linkerd.io/2/features/proxy-injection, "Overriding injection": `linkerd.io/inject: disabled`.
    optOut: { annotations: { 'linkerd.io/inject': 'disabled' } }, smiSupport: ['traffic-split'],
    smiNote: 'TrafficSplit only, through the linkerd-smi extension.',
    // conformance/reports/v1.3.0/linkerd-linkerd/run-conformance.sh: MESH-HTTP and MESH-GRPC, every feature
    // but path redirects and path rewrites, injection by namespace annotation.
    gamma: {
      implementation: { organization: 'Linkerd', project: 'Linkerd', url: 'https://github.com/linkerd/linkerd2', contact: ['https://github.com/linkerd/linkerd2/blob/main/MAINTAINERS.md'] },
      profiles: ['MESH-HTTP', 'MESH-GRPC'],
      supportedFeatures: [...except(MESH_EXTENDED, 'MeshHTTPRouteRedirectPath', 'MeshHTTPRouteRewritePath'), ...MESH_AUXILIARY],
      exemptFeatures: [...NO_GATEWAY, 'MeshHTTPRouteRedirectPath', 'MeshHTTPRouteRewritePath'],
      skipTests: [],
      note: "Linkerd needs the Gateway API CRDs before its control plane: they are installed first, and Linkerd's own copy is turned off (installGatewayAPI=false).",
    } },
  { id: 'traefik_mesh', displayName: 'Traefik Mesh', smpType: 6, smpName: 'TRAEFIK_MESH', aliases: ['traefik', 'maesh', 'traefikmesh'],
    installer: traefikMeshInstaller, defaultVersion: 'v1.4.8', kubernetesVersion: 'v1.28.15', // documented for 1.21-1.23; minikube v1.38.1 supports 1.28+ [U]
    injection: {}, smiSupport: ['traffic-access', 'traffic-spec', 'traffic-split'], smiNote: 'SMI in ACL mode; archived upstream.', archived: true },
  { id: 'octarine', displayName: 'Octarine', smpType: 7, smpName: 'OCTARINE', aliases: [], injection: {}, smiSupport: [], smiNote: 'Discontinued.', archived: true },
  { id: 'nsm', displayName: 'Network Service Mesh', smpType: 8, smpName: 'NETWORK_SERVICE_MESH', aliases: ['network_service_mesh', 'networkservicemesh'],
    injection: {}, smiSupport: [], smiNote: 'Not an L7 mesh; no SMI support.' },
  { id: 'tanzu', displayName: 'Tanzu Service Mesh', smpType: 9, smpName: 'TANZU', aliases: ['tanzu_service_mesh'], injection: {}, smiSupport: [], smiNote: 'Commercial; not installable here.' },
  { id: 'osm', displayName: 'Open Service Mesh', smpType: 10, smpName: 'OPEN_SERVICE_MESH', aliases: ['open_service_mesh', 'openservicemesh'],
    installer: osmInstaller, defaultVersion: 'v1.2.4', kubernetesVersion: 'v1.28.15', // CI ran 1.22-1.24; minikube v1.38.1 supports 1.28+ [U]
    injection: { labels: { 'openservicemesh.io/monitored-by': 'osm' }, annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' } },
    // An unmonitored namespace gets no sidecar; the annotation's "disabled" value says so outright
    // (release-v1.2 docs, guides/app_onboarding/sidecar_injection: enabled or disabled, on a namespace or a pod).
    optOut: { annotations: { 'openservicemesh.io/sidecar-injection': 'disabled' } },
    smiSupport: ['traffic-access', 'traffic-spec', 'traffic-split'], smiNote: 'Access, specs and split (v1alpha2) with permissive mode off; no SMI metrics API; archived upstream.', archived: true },
  { id: 'nginx_service_mesh', displayName: 'NGINX Service Mesh', smpType: 11, smpName: 'NGINX_SERVICE_MESH', aliases: ['nginx', 'nsm_nginx', 'nginxsm'],
    injection: {}, smiSupport: ['traffic-access', 'traffic-spec', 'traffic-split'], smiNote: 'End of life.', archived: true },
  { id: 'cilium', displayName: 'Cilium Service Mesh', smpType: 12, smpName: 'CILIUM_SERVICE_MESH', aliases: ['cilium_service_mesh'],
    injection: {}, smiSupport: [], smiNote: 'No SMI support.',
    // Cilium v1.20.0's report for v1.6.1 (conformance/reports/v1.6/cilium/): both mesh profiles, every Mesh
    // extended feature but MeshConsumerRoute; no sidecar, so no namespace marker. meshspec does not
    // install Cilium (it replaces the cluster's CNI and kube-proxy): use mesh_deployed.
    gamma: {
      implementation: { organization: 'cilium', project: 'cilium', url: 'github.com/cilium/cilium', contact: ['https://github.com/cilium/community/blob/main/roles/Maintainers.md'] },
      profiles: ['MESH-HTTP', 'MESH-GRPC'],
      supportedFeatures: [...except(MESH_EXTENDED, 'MeshConsumerRoute'), 'HTTPRouteResponseHeaderModification'], // HTTPRouteParentRefPort: unsupported in that report
      exemptFeatures: [...NO_GATEWAY, 'MeshConsumerRoute'],
      skipTests: [],
      note: 'Cilium is the cluster network itself (CNI with kube-proxy replacement and gatewayAPI.enabled): start the cluster with it and set mesh_deployed: true.',
    } },
];

const fold = (s: string) => s.trim().toLowerCase().replace(/[-\s]+/g, '_');

const byKey = new Map<string, MeshInfo>();
for (const m of MESHES) {
  for (const k of [m.id, m.smpName, String(m.smpType), m.displayName, ...m.aliases]) byKey.set(fold(k), m);
}

/** Finds a mesh by any accepted spelling or SMP enum number; undefined if unknown. */
export function findMesh(name: string | number): MeshInfo | undefined {
  return byKey.get(fold(String(name)));
}

/** Like findMesh, but an unknown name is an input error listing the known names. */
export function requireMesh(name: string | number, where: string): MeshInfo {
  const m = findMesh(name);
  if (!m) {
    throw inputError(
      `${where}: unknown service mesh "${name}". Known meshes: ${MESHES.filter((x) => x.id !== 'none')
        .map((x) => `${x.id} (${x.smpType})`)
        .join(', ')}`,
    );
  }
  return m;
}
