// The mesh hosted by the fake API server, driven over its REST API as a client would: the
// contract between mesh/index.mjs and api-server.mjs.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { OSM_INJECTION } from './fixture.js';

let cluster: Awaited<ReturnType<typeof startFakeClusterWithMesh>> | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function start(mesh = 'faithful') {
  cluster = await startFakeClusterWithMesh({ mesh, onError: (e) => { throw e; } });
  const c = cluster;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { c, api };
}

/** Meshery's standard app (smi.md §5): app-X-deployment with SA service-X, Service app-X. */
async function standardApp(api: Awaited<ReturnType<typeof start>>['api'], ns: string) {
  expect((await api('POST', '/api/v1/namespaces', { metadata: { name: ns, ...OSM_INJECTION } })).status).toBe(201);
  for (const x of ['a', 'b']) {
    await api('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: `service-${x}` } });
    const labels = { app: `app-${x}` };
    const dep = await api('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: `app-${x}-deployment` },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: `service-${x}`,
            containers: [{ name: 'app', image: 'layer5/learn-layer5:latest', ports: [{ name: 'http', containerPort: 9091 }], env: [{ name: 'SERVICE_NAME', value: `app-${x}` }] }],
          },
        },
      },
    });
    expect(dep.status).toBe(201);
    await api('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: `app-${x}` }, spec: { type: 'NodePort', selector: labels, ports: [{ port: 9091, targetPort: 9091 }] } });
  }
}

describe('the mesh inside the fake API server', () => {
  it('enforces TrafficTargets on the sample apps of Deployments, and reports the traffic', async () => {
    const { c, api } = await start();
    const ns = 'kudo-test-mesh';
    await standardApp(api, ns);
    await c.idle();
    const podA = c.store.list({ group: '', resource: 'pods', namespace: ns, labelSelector: 'app=app-a' })[0];
    const ep = c.simulation!.endpointOf(podA)!;
    const call = async () =>
      (await fetch(`http://${ep.host}:${ep.port}/call`, { method: 'POST', body: JSON.stringify({ url: `http://app-b.${ns}.svc.cluster.local:9091/echo`, method: 'GET', headers: {}, body: '' }) })).text();

    expect(await call()).toBe('RBAC: access denied');

    expect((await api('POST', `/apis/specs.smi-spec.io/v1alpha4/namespaces/${ns}/tcproutes`, { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'service-tcp-route' }, spec: { matches: { ports: [] } } })).status).toBe(201);
    const tt = await api('POST', `/apis/access.smi-spec.io/v1alpha3/namespaces/${ns}/traffictargets`, {
      apiVersion: 'access.smi-spec.io/v1alpha3',
      kind: 'TrafficTarget',
      metadata: { name: 'service-targets' },
      spec: {
        destination: { kind: 'ServiceAccount', name: 'service-b', namespace: ns },
        sources: [{ kind: 'ServiceAccount', name: 'service-a', namespace: ns }],
        rules: [{ kind: 'TCPRoute', name: 'service-tcp-route' }],
      },
    });
    expect(tt.status).toBe(201);
    expect(await call()).toMatch(/^GET \/echo HTTP\/1\.1/);

    const m = await api('GET', `/apis/metrics.smi-spec.io/v1alpha1/namespaces/${ns}/deployments/app-b-deployment`);
    expect(m.status).toBe(200);
    expect(m.body.metrics.find((x: any) => x.name === 'success_count').value).toBe('2');

    const podB = c.store.list({ group: '', resource: 'pods', namespace: ns, labelSelector: 'app=app-b' })[0];
    // A meshed pod has two containers (the app and the injected sidecar): a log read names one, as on a real API server.
    const logs = await fetch(`${c.url}/api/v1/namespaces/${ns}/pods/${podB.metadata.name}/log?container=app`, { headers: { Authorization: `Bearer ${c.token}` } });
    expect(await logs.text()).toMatch(/Started serving at: 9091/);
  });

  it('under missing-crd and no-metrics-api, the cluster lacks what the switch removes', async () => {
    let { api } = await start('missing-crd');
    expect((await api('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trafficsplits.split.smi-spec.io')).status).toBe(404);
    expect((await api('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/traffictargets.access.smi-spec.io')).status).toBe(200);
    expect((await api('GET', '/apis/metrics.smi-spec.io/v1alpha1')).status).toBe(200);
    await cluster!.close();
    ({ api } = await start('no-metrics-api'));
    expect((await api('GET', '/apis/metrics.smi-spec.io/v1alpha1')).status).toBe(404);
  });
});
