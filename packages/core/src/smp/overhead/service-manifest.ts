import type { KubernetesObject } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { inputError } from '../../errors.js';
import type { MeshInfo, MeshMarkers } from '../../mesh/registry.js';
import { deployment, SAMPLE_APP_PORT } from '../../smi/workloads.js';
import { OVERHEAD_SIDE_LABEL, type OverheadSide } from './sides.js';

/**
 * The service measured with and without the mesh: the objects applied into each side's namespace.
 * It comes from the user's manifest (`service_manifest` / `--service-manifest`) or is the sample
 * app the SMI suite already deploys (learn-layer5, smi/workloads.ts), as Service `sample-app`.
 */

/** Namespaced kinds a service manifest may hold; anything else is refused before anything is applied. */
const ALLOWED_KINDS = ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'Secret'] as const;

/** Kinds that live outside namespaces: one object would be shared by both sides, or clash between them. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'APIService', 'PriorityClass',
  'IngressClass', 'RuntimeClass', 'CSIDriver', 'GatewayClass', 'PodSecurityPolicy',
]);

/** What a manifest from `kubectl get -o yaml` carries that belongs to its live object, not to a copy. */
const LIVE_METADATA = ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'selfLink', 'generation', 'deletionTimestamp', 'ownerReferences'] as const;

export interface ServiceObjects {
  /** The objects as they will be applied in one side's namespace. */
  objects: KubernetesObject[];
  /** The Deployments to wait for. */
  deployments: string[];
  /** The containers the service's own pods run: anything else in a pod is what the mesh added. */
  appContainers: string[];
  /** What the copy changed, for the log (explicit nodePorts removed, ...). */
  notes: string[];
}

/** The default service: Service `sample-app` on 9091 (GET /echo answers), one replica of the SMI suite's sample app. */
const SAMPLE_SERVICE = { name: 'sample-app', port: SAMPLE_APP_PORT, path: '/echo' } as const;

export function sampleServiceManifest(): KubernetesObject[] {
  const labels = { app: SAMPLE_SERVICE.name };
  // The namespace is each side's: serviceObjectsFor copies every object into it.
  return [
    deployment({ name: SAMPLE_SERVICE.name, podLabels: labels }, { namespace: '' }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SAMPLE_SERVICE.name, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: SAMPLE_APP_PORT, targetPort: SAMPLE_APP_PORT, protocol: 'TCP' }] },
    } as KubernetesObject,
  ];
}

/** Parses a manifest file's text into its documents (empty ones skipped), naming the file on a YAML error. */
export function parseServiceManifest(text: string, file: string): KubernetesObject[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (error) {
    throw inputError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const objects: KubernetesObject[] = [];
  docs.forEach((doc, index) => {
    if (doc === null || doc === undefined) return;
    if (typeof doc !== 'object' || Array.isArray(doc)) throw inputError(`${file}: document ${index}: not a Kubernetes object (a mapping with apiVersion and kind)`);
    const o = doc as KubernetesObject & { items?: unknown[] };
    if (o.kind === 'List' && Array.isArray(o.items)) {
      o.items.forEach((item, j) => objects.push(checkShape(item, `${file}: document ${index}, items[${j}]`)));
    } else objects.push(checkShape(o, `${file}: document ${index}`));
  });
  return objects;
}

/** Where a parsed object came from (`<file>: document N`), for messages; structuredClone leaves it behind. */
const WHERE = Symbol('where');

function checkShape(doc: unknown, where: string): KubernetesObject {
  const o = doc as KubernetesObject;
  if (!o || typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') throw inputError(`${where}: not a Kubernetes object (a mapping with apiVersion and kind)`);
  if (typeof o.metadata?.name !== 'string' || o.metadata.name === '') throw inputError(`${where}: ${o.kind} has no metadata.name`);
  return Object.assign(o, { [WHERE]: where });
}

/**
 * Checks the documents and writes the copy for one side: every object in `namespace`, the mesh's
 * pod-level markers (injection on the meshed side, opt-out on the plain one) on each pod template,
 * and nothing that ties a copy to the live object it was exported from. Refused, naming the file
 * and document: kinds other than ALLOWED_KINDS (cluster-scoped ones would be shared by both sides),
 * and a document whose namespace differs from the others' (references across them would break).
 */
export function serviceObjectsFor(
  source: readonly KubernetesObject[],
  side: OverheadSide,
  namespace: string,
  mesh: MeshInfo,
  option: string,
): ServiceObjects {
  const where = (o: KubernetesObject, i: number) => `${option}: ${(o as { [WHERE]?: string })[WHERE] ?? `document ${i}`}`;
  let sourceNamespace: string | undefined;
  const notes: string[] = [];
  source.forEach((o, i) => {
    const kind = o.kind ?? '';
    if (CLUSTER_SCOPED.has(kind)) throw inputError(`${where(o, i)}: ${kind} ${o.metadata?.name} is cluster-scoped: one object would serve both sides. Install it beforehand and leave it out of the manifest`);
    if (!(ALLOWED_KINDS as readonly string[]).includes(kind)) throw inputError(`${where(o, i)}: kind ${kind} is not applied by a comparison; the manifest may hold ${ALLOWED_KINDS.join(', ')}`);
    const ns = o.metadata?.namespace;
    if (ns !== undefined && ns !== '') {
      if (sourceNamespace !== undefined && ns !== sourceNamespace) {
        throw inputError(`${where(o, i)}: ${kind} ${o.metadata?.name} is in namespace ${ns}, the others in ${sourceNamespace}: the service is copied whole into each side's namespace, so give one namespace or none`);
      }
      sourceNamespace = ns;
    }
  });
  const deployments = source.filter((o) => o.kind === 'Deployment');
  if (deployments.length === 0) throw inputError(`${option}: no Deployment: the manifest must run the service (a Deployment and a Service)`);
  if (!source.some((o) => o.kind === 'Service')) throw inputError(`${option}: no Service: the profile's URLs name the service by its Service name`);
  const podMarkers = side === 'meshed' ? mesh.injection.podAnnotations : mesh.optOut?.podAnnotations;
  const objects = source.map((o) => copyInto(o, namespace, side, podMarkers, notes));
  const appContainers = new Set<string>();
  for (const d of deployments) {
    const spec = (d as { spec?: { template?: { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } } } }).spec?.template?.spec;
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) appContainers.add(c.name);
  }
  return { objects, deployments: deployments.map((d) => d.metadata!.name!), appContainers: [...appContainers], notes };
}

function copyInto(o: KubernetesObject, namespace: string, side: OverheadSide, podMarkers: MeshMarkers['podAnnotations'], notes: string[]): KubernetesObject {
  const copy = structuredClone(o) as KubernetesObject & { status?: unknown; spec?: Record<string, unknown> };
  delete copy.status;
  const metadata = { ...(copy.metadata ?? {}) } as Record<string, unknown>;
  for (const k of LIVE_METADATA) delete metadata[k];
  copy.metadata = { ...metadata, namespace, labels: { ...(copy.metadata?.labels ?? {}), 'app.kubernetes.io/managed-by': 'meshspec', [OVERHEAD_SIDE_LABEL]: side } };
  if (copy.kind === 'Service' && copy.spec) {
    // Both copies live in one cluster: a fixed cluster IP or node port would be taken by the first.
    delete copy.spec.clusterIP;
    delete copy.spec.clusterIPs;
    const ports = (copy.spec.ports ?? []) as Array<Record<string, unknown>>;
    if (ports.some((p) => p.nodePort !== undefined)) notes.push(`Service ${copy.metadata?.name}: its fixed nodePort is left out, so both copies can exist`);
    copy.spec.ports = ports.map(({ nodePort: _, ...p }) => p);
  }
  if (copy.kind === 'Deployment' && podMarkers && Object.keys(podMarkers).length > 0) {
    const template = ((copy.spec ??= {}).template ??= {}) as { metadata?: { annotations?: Record<string, string> } };
    template.metadata = { ...(template.metadata ?? {}), annotations: { ...(template.metadata?.annotations ?? {}), ...podMarkers } };
  }
  return copy;
}
