// The resource registry: built-in kinds, kinds added by established CRDs, and discovery documents.
import { createHash } from 'node:crypto';
import { crdResourceTypes } from './crds.mjs';

/**
 * @typedef {{
 *   group: string, version: string, resource: string, kind: string, listKind: string, singularName: string,
 *   namespaced: boolean, shortNames?: string[], categories?: string[], verbs: string[],
 *   subresources: string[],          // 'status' | 'log' | 'portforward' | 'finalize'
 *   builtin: boolean,
 *   schema?: any,                    // CRD version's openAPIV3Schema (custom resources only)
 *   returnDeletedObject: boolean,    // DELETE answers with the object rather than a Status
 *   listKeys?: (path: string[]) => ListPolicy,
 *   since?: number,                  // built-in kinds served only from this Kubernetes minor on
 * }} ResourceType
 * @typedef {{ type: 'atomic' } | { type: 'set' } | { type: 'map', keys: string[] }} ListPolicy
 */

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** @param {Partial<ResourceType> & { group: string, version: string, resource: string, kind: string }} t @returns {ResourceType} */
function builtin(t) {
  return {
    listKind: `${t.kind}List`,
    singularName: t.kind.toLowerCase(),
    namespaced: true,
    verbs: RW,
    subresources: [],
    builtin: true,
    returnDeletedObject: false,
    ...t,
  };
}

/** Built-in kinds served by the fake. */
export const BUILTIN_TYPES = [
  builtin({ group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['finalize', 'status'], returnDeletedObject: true }),
  builtin({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', shortNames: ['po'], categories: ['all'], subresources: ['log', 'portforward', 'status'], returnDeletedObject: true }),
  builtin({ group: '', version: 'v1', resource: 'services', kind: 'Service', shortNames: ['svc'], categories: ['all'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['status'], returnDeletedObject: true }),
  builtin({ group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', listKind: 'EndpointsList', singularName: 'endpoints', shortNames: ['ep'] }),
  builtin({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] }),
  builtin({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  builtin({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret' }),
  builtin({ group: '', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'] }),
  builtin({ group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  builtin({ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'], categories: ['all'], subresources: ['status'] }),
  builtin({ group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', categories: ['all'], subresources: ['status'] }),
  builtin({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'], returnDeletedObject: true }),
  builtin({ group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices', kind: 'APIService', namespaced: false, categories: ['api-extensions'], subresources: ['status'] }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false }),
  // GA in Kubernetes 1.30 (KEP-3488): an older server does not serve admissionregistration.k8s.io/v1 for these, so the
  // Gateway API install manifests (which carry one, `safe-upgrades`) fail there as they do on a real cluster.
  builtin({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicies', kind: 'ValidatingAdmissionPolicy', namespaced: false, categories: ['api-extensions'], subresources: ['status'], since: 30 }),
  builtin({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicybindings', kind: 'ValidatingAdmissionPolicyBinding', namespaced: false, categories: ['api-extensions'], since: 30 }),
];

/** The built-in kinds a server of this Kubernetes version serves (`since`: the first minor that serves a kind). */
function servedBuiltinTypes(kubernetesVersion = 'v1.30.0') {
  const minor = Number(/^v?\d+\.(\d+)/.exec(kubernetesVersion)?.[1] ?? 30);
  return BUILTIN_TYPES.filter((t) => t.since === undefined || minor >= t.since);
}

const SUBRESOURCE = {
  status: (t) => ({ kind: t.kind, verbs: ['get', 'patch', 'update'] }),
  log: (t) => ({ kind: t.kind, verbs: ['get'] }),
  portforward: () => ({ kind: 'PodPortForwardOptions', verbs: ['create', 'get'] }),
  finalize: (t) => ({ kind: t.kind, verbs: ['update'] }),
};

/**
 * Orders versions as kube-apiserver does: GA before beta before alpha, higher numbers first, other strings last.
 * @param {string} a @param {string} b
 */
export function compareKubeVersions(a, b) {
  const parse = (v) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return null;
    return { major: Number(m[1]), rank: m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, minor: Number(m[3] ?? 0) };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && !pb) return -1;
  if (!pa && pb) return 1;
  if (!pa && !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (pa.rank !== pb.rank) return pb.rank - pa.rank;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}

/**
 * @typedef {{ group: string, version: string, resources: any[], handle: Function }} AggregatedApi
 */

export class Registry {
  /**
   * @param {import('./store.mjs').Store} store
   * @param {() => AggregatedApi[]} aggregated the aggregated APIs currently available
   */
  constructor(store, aggregated, kubernetesVersion) {
    this.store = store;
    this.aggregated = aggregated;
    this.builtins = servedBuiltinTypes(kubernetesVersion);
  }

  /** @returns {ResourceType[]} all types: built-in and from established CRDs */
  types() {
    const crds = this.store.list({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' });
    return [...this.builtins, ...crds.flatMap((crd) => crdResourceTypes(crd))];
  }

  /** @param {string} group @param {string} version @param {string} resource */
  lookup(group, version, resource) {
    return this.types().find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  /** @param {string} group @param {string} version */
  aggregatedApi(group, version) {
    return this.aggregated().find((a) => a.group === group && a.version === version);
  }

  /** @returns {Array<{ name: string, versions: string[] }>} sorted: built-in groups first, then by name */
  groups() {
    /** @type {Map<string, Set<string>>} */
    const groups = new Map();
    const add = (g, v) => {
      if (!groups.has(g)) groups.set(g, new Set());
      groups.get(g).add(v);
    };
    for (const t of this.types()) if (t.group) add(t.group, t.version);
    for (const a of this.aggregated()) add(a.group, a.version);
    const builtinOrder = [...new Set(this.builtins.map((t) => t.group).filter(Boolean))];
    const names = [...groups.keys()].sort((a, b) => {
      const ia = builtinOrder.indexOf(a);
      const ib = builtinOrder.indexOf(b);
      if (ia >= 0 || ib >= 0) return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
      return a < b ? -1 : 1;
    });
    return names.map((name) => ({ name, versions: [...groups.get(name)].sort(compareKubeVersions) }));
  }

  /** @param {string} group */
  apiGroup(group) {
    const g = this.groups().find((x) => x.name === group);
    if (!g) return undefined;
    const versions = g.versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
    return { name: group, versions, preferredVersion: versions[0] };
  }

  /** @param {string} group @param {string} version */
  resourceList(group, version) {
    const agg = group ? this.aggregatedApi(group, version) : undefined;
    const groupVersion = group ? `${group}/${version}` : version;
    if (agg) return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: agg.resources };
    const types = this.types().filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return undefined;
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: apiResources(types) };
  }
}

/** @param {ResourceType[]} types */
function apiResources(types) {
  const out = [];
  for (const t of types) {
    /** @type {Record<string, unknown>} */
    const r = { name: t.resource, singularName: t.singularName, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames?.length) r.shortNames = t.shortNames;
    if (t.categories?.length) r.categories = t.categories;
    r.storageVersionHash = createHash('sha256').update(`${t.group}/${t.version}/${t.kind}`).digest('base64').slice(0, 12);
    out.push(r);
    for (const sub of t.subresources) {
      out.push({ name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced, ...SUBRESOURCE[sub](t) });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Merge keys of built-in lists, by field name (strategic merge patch and server-side apply). @returns {ListPolicy} */
export function builtinListPolicy(path, items = []) {
  const field = path[path.length - 1];
  const first = items.find((i) => i && typeof i === 'object');
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'secrets':
      return { type: 'map', keys: ['name'] };
    case 'volumeMounts':
      return { type: 'map', keys: ['mountPath'] };
    case 'ports':
      return { type: 'map', keys: [first && 'containerPort' in first ? 'containerPort' : 'port'] };
    case 'conditions':
      return { type: 'map', keys: ['type'] };
    case 'ownerReferences':
      return { type: 'map', keys: ['uid'] };
    case 'finalizers':
      return { type: 'set' };
    default:
      return { type: 'atomic' };
  }
}
