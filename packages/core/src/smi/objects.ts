import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The SMI objects the suite writes, each in the shape of the API version under test. An API server
 * prunes every field its version's structural schema does not declare, so an object written in the
 * wrong shape silently loses fields and then fails its own read-back. The shapes come from the CRD
 * schemas (smi-sdk-go `crds/*.yaml` in test/fixtures/smi-crds/, and the meshes' own copies in
 * test/fixtures/mesh-crds/) and from the spec history (servicemeshinterface/smi-spec, `apis/<api>/<version>/`):
 *
 * | kind | versions | shape |
 * |---|---|---|
 * | TrafficTarget | v1alpha1 | no `spec`: `destination` (with a required `port`), `specs`, `sources` at the top level |
 * |  | v1alpha2 | `spec.destination` (optional `port`), `spec.rules`, `spec.sources` |
 * |  | v1alpha3+ | as v1alpha2 without `destination.port` |
 * | HTTPRouteGroup | v1alpha1, v1alpha2 | `matches` at the top level |
 * |  | v1alpha3+ | `spec.matches` |
 * | TCPRoute | v1alpha1, v1alpha2 | no `spec` |
 * |  | v1alpha3 | `spec: {}` (its schema has no fields: Traefik Mesh v1.4.8 `integration/testdata/crds/smi-specs.yaml`) |
 * |  | v1alpha4 | `spec.matches.ports` (`[]` is every port) |
 * | TrafficSplit | v1alpha1 | `spec.service`, `spec.backends[].service`, `weight` a quantity (int-or-string: linkerd-smi v0.2.7) |
 * |  | v1alpha2+ | the same with whole-number weights (`matches` exists from v1alpha3; the suite never writes it) |
 *
 * test/smi/objects-pruning.test.ts writes every object below in every version that a mesh serves and
 * checks that pruning leaves it unchanged.
 */

export type SmiRef = { kind: 'HTTPRouteGroup' | 'TCPRoute'; name: string; matches?: string[] };

interface HttpMatch {
  name: string;
  pathRegex: string;
  methods: string[];
}

/** `v1alpha3` -> 3; versions that do not parse count as the newest (so they get today's shape). */
function alphaNumber(apiVersion: string): number {
  const m = /\/v1alpha(\d+)$/.exec(apiVersion);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

const meta = (name: string, namespace: string) => ({ name, namespace });

/** A TCPRoute for every port of the destination. */
export function tcpRoute(apiVersion: string, namespace: string, name: string): KubernetesObject {
  const v = alphaNumber(apiVersion);
  const body = v >= 4 ? { spec: { matches: { ports: [] } } } : v === 3 ? { spec: {} } : {};
  return { apiVersion, kind: 'TCPRoute', metadata: meta(name, namespace), ...body } as KubernetesObject;
}

export function httpRouteGroup(apiVersion: string, namespace: string, name: string, matches: HttpMatch[]): KubernetesObject {
  const body = alphaNumber(apiVersion) >= 3 ? { spec: { matches } } : { matches };
  return { apiVersion, kind: 'HTTPRouteGroup', metadata: meta(name, namespace), ...body } as KubernetesObject;
}

/**
 * A TrafficTarget from one ServiceAccount to another over the given rules. v1alpha1 requires a
 * destination port; the suite's apps serve one port, so it names that one.
 */
export function trafficTarget(
  apiVersion: string,
  namespace: string,
  name: string,
  from: string,
  to: string,
  rules: SmiRef[],
  port: number,
): KubernetesObject {
  const sources = [{ kind: 'ServiceAccount', name: from, namespace }];
  const destination = { kind: 'ServiceAccount', name: to, namespace };
  if (alphaNumber(apiVersion) === 1) {
    return { apiVersion, kind: 'TrafficTarget', metadata: meta(name, namespace), destination: { ...destination, port }, specs: rules, sources } as KubernetesObject;
  }
  return { apiVersion, kind: 'TrafficTarget', metadata: meta(name, namespace), spec: { destination, rules, sources } } as KubernetesObject;
}

export function trafficSplit(apiVersion: string, namespace: string, name: string, root: string, backends: { service: string; weight: number }[]): KubernetesObject {
  // v1alpha1 weights are resource.Quantity values; a quantity's canonical form for a whole number is its decimal string.
  const weight = (w: number) => (alphaNumber(apiVersion) === 1 ? String(w) : w);
  return {
    apiVersion,
    kind: 'TrafficSplit',
    metadata: meta(name, namespace),
    spec: { service: root, backends: backends.map((b) => ({ service: b.service, weight: weight(b.weight) })) },
  } as KubernetesObject;
}

/** The HTTPRouteGroup match that admits every request (used beside a TCPRoute, for meshes that route HTTP only by HTTPRouteGroup). */
export const MATCH_ALL: HttpMatch = { name: 'everything', pathRegex: '.*', methods: ['*'] };
