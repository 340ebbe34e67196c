// Builders for the worlds decide() reads: plain objects shaped like what the API server stores.
import type { World, Call } from '../support/fake-cluster/mesh/decide.mjs';

export function pod(name: string, namespace: string, labels: Record<string, string>, serviceAccount = 'default', extra: any = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels },
    spec: { serviceAccountName: serviceAccount, containers: [{ name: 'app', image: 'layer5/learn-layer5:latest', ports: [{ name: 'http', containerPort: 9091 }] }] },
    status: { phase: 'Running', podIP: extra.podIP, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function service(name: string, namespace: string, selector: Record<string, string>, ports: Array<number | { port: number; targetPort?: number | string; name?: string }> = [9091], clusterIP?: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      selector,
      clusterIP,
      ports: ports.map((p) => (typeof p === 'number' ? { port: p, targetPort: p } : p)),
    },
  };
}

const KIND_TO_FIELD: Record<string, keyof World> = {
  Service: 'services',
  Pod: 'pods',
  TrafficTarget: 'trafficTargets',
  HTTPRouteGroup: 'httpRouteGroups',
  TCPRoute: 'tcpRoutes',
  UDPRoute: 'udpRoutes',
  TrafficSplit: 'trafficSplits',
};

/** Sorts objects into a World by kind. */
export function world(...objects: any[]): Required<World> {
  const w: any = { services: [], pods: [], trafficTargets: [], httpRouteGroups: [], tcpRoutes: [], udpRoutes: [], trafficSplits: [] };
  for (const o of objects.flat()) {
    const field = KIND_TO_FIELD[o.kind];
    if (!field) throw new Error(`world(): unexpected kind ${o.kind}`);
    w[field].push(o);
  }
  return w;
}

/** A call from a pod object. */
export function from(p: any, host: string, opts: Partial<Omit<Call, 'source' | 'host'>> = {}): Call {
  return {
    source: { namespace: p.metadata.namespace, serviceAccount: p.spec.serviceAccountName, podLabels: p.metadata.labels, uid: p.metadata.uid },
    host,
    port: 9091,
    method: 'GET',
    path: '/',
    ...opts,
  };
}

export function trafficTarget(name: string, namespace: string, destSa: string, sourceSas: string[], rules: any[]) {
  return {
    apiVersion: 'access.smi-spec.io/v1alpha3',
    kind: 'TrafficTarget',
    metadata: { name, namespace },
    spec: {
      destination: { kind: 'ServiceAccount', name: destSa, namespace },
      sources: sourceSas.map((s) => ({ kind: 'ServiceAccount', name: s, namespace })),
      rules,
    },
  };
}
