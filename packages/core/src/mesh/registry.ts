import { inputError } from '../errors.js';
import { consulInstaller } from './consul.js';
import type { MeshInstaller } from './installer.js';
import { istioInstaller } from './istio.js';
import { kumaInstaller } from './kuma.js';
import { linkerdInstaller } from './linkerd.js';
import { osmInstaller } from './osm.js';
import { traefikMeshInstaller } from './traefik-mesh.js';

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
  injection: { labels?: Record<string, string>; annotations?: Record<string, string>; podAnnotations?: Record<string, string> };
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
}

export const MESHES: readonly MeshInfo[] = [
  { id: 'none', displayName: 'No mesh', smpType: 0, smpName: 'INVALID_MESH', aliases: ['invalid_mesh', 'no_mesh', 'nomesh', ''],
    injection: {}, smiSupport: [], smiNote: 'Plain Kubernetes: nothing enforces SMI.' },
  { id: 'app_mesh', displayName: 'AWS App Mesh', smpType: 1, smpName: 'APP_MESH', aliases: ['appmesh', 'aws_app_mesh'],
    injection: { labels: { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' } }, smiSupport: [], smiNote: 'No SMI support; runs only on EKS.' },
  { id: 'consul', displayName: 'Consul', smpType: 2, smpName: 'CONSUL', aliases: ['consul_connect', 'hashicorp_consul'],
    installer: consulInstaller, defaultVersion: '2.0.3', kubernetesVersion: 'v1.35.1', // chart kubeVersion >=1.22; 1.35 [U]
    // consul-k8s v2.0.3 reads connect-inject on the pod, never on its namespace
    // (control-plane/connect-inject/constants/annotations_and_labels.go), and connectInject.default is false.
    injection: { podAnnotations: { 'consul.hashicorp.com/connect-inject': 'true' } }, smiSupport: [],
    smiNote: "Consul's SMI controller used apiextensions.k8s.io/v1beta1 CRDs and cannot install on Kubernetes 1.22 or newer." },
  { id: 'istio', displayName: 'Istio', smpType: 3, smpName: 'ISTIO', aliases: [],
    installer: istioInstaller, defaultVersion: '1.30.3', kubernetesVersion: 'v1.35.1', // Istio 1.30 needs 1.32 or newer
    injection: { labels: { 'istio-injection': 'enabled' } }, smiSupport: [],
    smiNote: "Istio's SMI adapter used apiextensions.k8s.io/v1beta1 CRDs and cannot install on Kubernetes 1.22 or newer." },
  { id: 'kuma', displayName: 'Kuma', smpType: 4, smpName: 'KUMA', aliases: [],
    installer: kumaInstaller, defaultVersion: '2.11.0', kubernetesVersion: 'v1.35.1', // Kuma 2.11 on 1.35 [U]
    injection: { labels: { 'kuma.io/sidecar-injection': 'enabled' } }, smiSupport: [], smiNote: 'No SMI support.' },
  { id: 'linkerd', displayName: 'Linkerd', smpType: 5, smpName: 'LINKERD', aliases: ['linkerd2'],
    installer: linkerdInstaller, defaultVersion: 'edge-26.8.3', kubernetesVersion: 'v1.35.1', // edge-26.5.1 and later need 1.31 or newer
    injection: { annotations: { 'linkerd.io/inject': 'enabled' } }, smiSupport: ['traffic-split'],
    smiNote: 'TrafficSplit only, through the linkerd-smi extension.' },
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
    smiSupport: ['traffic-access', 'traffic-spec', 'traffic-split'], smiNote: 'Access, specs and split (v1alpha2) with permissive mode off; no SMI metrics API; archived upstream.', archived: true },
  { id: 'nginx_service_mesh', displayName: 'NGINX Service Mesh', smpType: 11, smpName: 'NGINX_SERVICE_MESH', aliases: ['nginx', 'nsm_nginx', 'nginxsm'],
    injection: {}, smiSupport: ['traffic-access', 'traffic-spec', 'traffic-split'], smiNote: 'End of life.', archived: true },
  { id: 'cilium', displayName: 'Cilium Service Mesh', smpType: 12, smpName: 'CILIUM_SERVICE_MESH', aliases: ['cilium_service_mesh'],
    injection: {}, smiSupport: [], smiNote: 'No SMI support.' },
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
