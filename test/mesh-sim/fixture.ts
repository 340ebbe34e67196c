// A simulation on the fake cluster's real Store, without the API server: objects go straight
// into the store, pods are started through the simulation's pod runtime.
import { Store } from '../support/fake-cluster/store.mjs';
import { createMeshSimulation, type MeshSimulationOptions } from '../support/fake-cluster/mesh/index.mjs';
import { mulberry32 } from '../support/fake-cluster/mesh/balance.mjs';

export const OSM_INJECTION = {
  labels: { 'openservicemesh.io/monitored-by': 'osm' },
  annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' },
};

export function createFixture(options: Partial<MeshSimulationOptions> = {}) {
  const store = new Store();
  const sim = createMeshSimulation({ store, random: mulberry32(1), ...options });
  const put = (group: string, resource: string, obj: any) => store.create({ group, resource }, obj);
  const endpoints = new Map<string, { host: string; port: number }>();

  return {
    store,
    sim,
    put,
    namespace(name: string, injected = true) {
      put('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(injected ? OSM_INJECTION : {}) } });
    },
    /** A Deployment-like app: a Service `name` and one running pod with the sample app. */
    async app(ns: string, name: string, opts: { labels?: Record<string, string>; serviceAccount?: string; serviceName?: string; image?: string; service?: boolean } = {}) {
      const labels = opts.labels ?? { app: name };
      const pod = put('', 'pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${name}-pod`, namespace: ns, labels },
        spec: {
          serviceAccountName: opts.serviceAccount ?? 'default',
          containers: [{ name: 'app', image: opts.image ?? 'layer5/learn-layer5:latest', ports: [{ name: 'http', containerPort: 9091 }], env: [{ name: 'SERVICE_NAME', value: opts.serviceName ?? name }] }],
        },
      });
      const ep = await sim.podRuntime.start(pod);
      // What the fake cluster's controller does once the runtime has started the pod.
      const running = store.mutate({ group: '', resource: 'pods', namespace: ns, name: pod.metadata.name }, (p: any) => {
        p.status = { phase: 'Running', podIP: `127.0.9.${endpoints.size + 1}`, conditions: [{ type: 'Ready', status: 'True' }] };
      });
      if (opts.service !== false) put('', 'services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: labels, ports: [{ port: 9091, targetPort: 9091 }] } });
      endpoints.set(`${ns}/${name}`, ep);
      return { pod: running, ep, url: `http://${ep.host}:${ep.port}` };
    },
    /** POST /call on an app, as the suite's runner does through a port-forward. */
    async call(app: { url: string }, body: any) {
      const res = await fetch(`${app.url}/call`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, text: await res.text() };
    },
    async metrics(app: { url: string }) {
      return (await fetch(`${app.url}/metrics`)).json() as Promise<{ ReqReceived: string[]; RespSucceeded: any[]; RespFailed: any[] }>;
    },
    async reset(app: { url: string }) {
      return (await fetch(`${app.url}/metrics`, { method: 'DELETE' })).status;
    },
  };
}

export function allowAll(ns: string, destSa: string, sourceSa: string) {
  return [
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: `all-${destSa}`, namespace: ns }, spec: { matches: { ports: [] } } },
    {
      apiVersion: 'access.smi-spec.io/v1alpha3',
      kind: 'TrafficTarget',
      metadata: { name: `to-${destSa}`, namespace: ns },
      spec: {
        destination: { kind: 'ServiceAccount', name: destSa, namespace: ns },
        sources: [{ kind: 'ServiceAccount', name: sourceSa, namespace: ns }],
        rules: [{ kind: 'TCPRoute', name: `all-${destSa}` }],
      },
    },
  ] as const;
}
