// Per-mesh profiles: the simulated mesh as one real mesh at the version meshspec pins. A profile
// fixes what the generic simulation leaves open:
// - crds:     exactly the SMI CRDs that mesh installs, read from test/fixtures/mesh-crds/ (byte
//             copies of upstream; provenance in test/fixtures/README.md), with their served,
//             storage and (through discovery) preferred versions and their pruning schemas.
//             `null`: the mesh installs no SMI CRD at all.
// - routing:  whose reading of SMI the data plane applies (decide.mjs, traefik.mjs).
// - metricsApi: whether it serves metrics.smi-spec.io (none of them does at these versions).
// - controlPlane: the Deployments that `mesh_deployed` verification looks for (control-plane.mjs).
// - prepare:  a check the control plane runs at start; if it fails, the controller never becomes
//             Ready (Traefik Mesh's init container `prepare`).
// The generic simulation (no profile) keeps smi-sdk-go's CRDs, which serve every version, the
// spec's own semantics and the metrics API: the faithful reading of SMI itself.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { fixturePath } from '../../fixtures.mjs';
import { compareKubeVersions } from '../resources.mjs';

/**
 * @typedef {object} MeshProfile
 * @property {string} id
 * @property {string} summary
 * @property {string} controlPlane  control-plane.mjs id
 * @property {string | null} crds   folder under test/fixtures/mesh-crds, or null for none
 * @property {'osm' | 'open' | 'traefik'} routing
 * @property {boolean} metricsApi
 * @property {(preferred: Record<string, string | undefined>) => string | undefined} [prepare]
 */

/** @type {Record<string, MeshProfile>} */
const PROFILES = {
  osm: {
    id: 'osm',
    summary: 'Open Service Mesh v1.2.4: access v1alpha3, specs v1alpha4, split v1alpha2; HTTP ports admit only HTTPRouteGroup routes, TCP ports TCPRoutes at L4; permissive mode off',
    controlPlane: 'osm',
    crds: 'osm-v1.2.4',
    routing: 'osm',
    metricsApi: false,
  },
  linkerd: {
    id: 'linkerd',
    summary: 'Linkerd edge-26.8.3 with linkerd-smi v0.2.7: TrafficSplit v1alpha1/v1alpha2 only; no access control, so every call is allowed',
    controlPlane: 'linkerd',
    crds: 'linkerd-smi-v0.2.7',
    routing: 'open',
    metricsApi: false,
  },
  traefik_mesh: {
    id: 'traefik_mesh',
    summary: 'Traefik Mesh v1.4.8 in ACL mode: access v1alpha2, specs v1alpha3, split v1alpha3, which must be the preferred versions; routes only *.traefik.mesh names',
    controlPlane: 'traefik_mesh',
    crds: 'traefik-mesh-v1.4.8',
    routing: 'traefik',
    metricsApi: false,
    // traefik/mesh v1.4.8 `pkg/k8s/smi.go` CheckSMIVersion, run by `cmd/prepare/prepare.go`.
    prepare: (preferred) => {
      const required = { 'split.smi-spec.io': 'v1alpha3', 'specs.smi-spec.io': 'v1alpha3', 'access.smi-spec.io': 'v1alpha2' };
      const errs = Object.entries(required).flatMap(([group, version]) =>
        preferred[group] === undefined
          ? [`unable to find group "${group}" version "${version}"`]
          : preferred[group] !== version
            ? [`unable to find group "${group}" version "${version}", got "${preferred[group]}"`]
            : [],
      );
      return errs.length > 0 ? errs.join('; ') : undefined;
    },
  },
  istio: { id: 'istio', summary: 'Istio 1.30.3: no SMI CRDs (the SMI adapter needs apiextensions.k8s.io/v1beta1)', controlPlane: 'istio', crds: null, routing: 'open', metricsApi: false },
  consul: { id: 'consul', summary: 'Consul 2.0.3: no SMI CRDs (consul-smi-controller needs apiextensions.k8s.io/v1beta1)', controlPlane: 'consul', crds: null, routing: 'open', metricsApi: false },
  kuma: { id: 'kuma', summary: 'Kuma 2.11.0: no SMI support', controlPlane: 'kuma', crds: null, routing: 'open', metricsApi: false },
};

/** Profile names, in a stable order. */
export const PROFILE_NAMES = Object.freeze(Object.keys(PROFILES));

/**
 * @param {string} name
 * @returns {MeshProfile}
 */
export function meshProfile(name) {
  const p = Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
  if (!p) throw new Error(`unknown mesh profile "${name}"; use one of: ${PROFILE_NAMES.join(', ')}`);
  return p;
}

/**
 * The profile's CRDs, parsed; a CRD that appears twice (Traefik Mesh's smi-split.yaml holds it
 * twice) is installed once, as `kubectl apply` would leave it.
 * @param {MeshProfile} profile
 * @returns {any[]}
 */
export function profileCrds(profile) {
  if (!profile.crds) return [];
  const dir = fixturePath('mesh-crds', profile.crds);
  /** @type {Map<string, any>} */
  const byName = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of yaml.loadAll(readFileSync(join(dir, file), 'utf8'))) {
      if (doc && typeof doc === 'object' && /** @type {any} */ (doc).kind === 'CustomResourceDefinition') byName.set(/** @type {any} */ (doc).metadata.name, doc);
    }
  }
  return [...byName.values()];
}

/**
 * What discovery reports as each group's preferred version: the newest version any of the group's
 * CRDs serves (apiextensions-apiserver sorts a group's served versions by Kubernetes version priority).
 * @param {any[]} crds
 * @returns {Record<string, string | undefined>}
 */
export function preferredVersions(crds) {
  /** @type {Record<string, string[]>} */
  const served = {};
  for (const crd of crds) {
    for (const v of crd.spec?.versions ?? []) if (v.served) (served[crd.spec.group] ??= []).push(v.name);
  }
  return Object.fromEntries(Object.entries(served).map(([g, vs]) => [g, [...vs].sort(compareKubeVersions)[0]]));
}
