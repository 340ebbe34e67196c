// The Traffic Metrics API (metrics.smi-spec.io/v1alpha1) reports the calls the mesh carried.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { allowAll, createFixture } from './fixture.js';
import { createTrafficRecorder, milliQuantity, parseQuantity, quantity } from '../support/fake-cluster/mesh/metrics-api.mjs';

let fx: ReturnType<typeof createFixture>;
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  await fx?.sim.close();
});

/** Serves the aggregated API as the fake API server delegates to it, and returns a GET helper. */
async function serve() {
  const [api] = fx.sim.aggregatedApis();
  server = createServer((req, res) => api.handle(req, res, {}));
  await new Promise((r) => server!.listen(0, '127.0.0.1', () => r(undefined)));
  const port = (server!.address() as any).port;
  return async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/apis/metrics.smi-spec.io/v1alpha1${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
}

const metric = (item: any, name: string) => parseQuantity(item.metrics.find((m: any) => m.name === name).value);

async function traffic() {
  fx = createFixture();
  const ns = 'metrics-test';
  fx.namespace(ns);
  const a = await fx.app(ns, 'app-a', { serviceAccount: 'service-a' });
  const b = await fx.app(ns, 'app-b', { serviceAccount: 'service-b' });
  fx.put('apps', 'deployments', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app-b-deployment', namespace: ns, labels: { tier: 'back' } },
    spec: { selector: { matchLabels: { app: 'app-b' } }, template: { metadata: { labels: { app: 'app-b' } } } },
  });
  fx.put('apps', 'deployments', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app-a-deployment', namespace: ns, labels: { tier: 'front' } },
    spec: { selector: { matchLabels: { app: 'app-a' } }, template: { metadata: { labels: { app: 'app-a' } } } },
  });
  const svcB = `http://app-b.${ns}.svc.cluster.local:9091`;
  await fx.call(a, { url: `${svcB}/echo`, method: 'GET', body: '' }); // denied: 403
  const [route, tt] = allowAll(ns, 'service-b', 'service-a');
  fx.put('specs.smi-spec.io', 'tcproutes', route);
  fx.put('access.smi-spec.io', 'traffictargets', tt);
  for (let i = 0; i < 3; i++) await fx.call(a, { url: `${svcB}/echo`, method: 'GET', body: '' });
  await fx.call(a, { url: `http://app-b.${ns}..svc.cluster.local:9091/echo`, method: 'GET', body: '' }); // never reaches a pod
  return { ns, a, b };
}

describe('metrics.smi-spec.io/v1alpha1', () => {
  it('serves discovery with pods, deployments and namespaces (and their edges)', async () => {
    fx = createFixture();
    const get = await serve();
    const { body } = await get('');
    expect(body.kind).toBe('APIResourceList');
    expect(body.resources.map((r: any) => r.name)).toEqual(['namespaces', 'namespaces/edges', 'deployments', 'deployments/edges', 'pods', 'pods/edges']);
    expect(fx.sim.aggregatedApis()[0]).toMatchObject({ group: 'metrics.smi-spec.io', version: 'v1alpha1' });
  });

  it('reports the traffic a pod received: 4 calls reached app-b (one denied with 403, a success by status class)', async () => {
    const { ns, b } = await traffic();
    const get = await serve();
    const { status, body } = await get(`/namespaces/${ns}/pods/${b.pod.metadata.name}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      kind: 'TrafficMetrics',
      apiVersion: 'metrics.smi-spec.io/v1alpha1',
      resource: { kind: 'Pod', namespace: ns, name: 'app-b-pod' },
      edge: null,
      window: '30s',
    });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(metric(body, 'success_count')).toBe(4);
    expect(metric(body, 'failure_count')).toBe(0);
    for (const p of ['p50', 'p90', 'p99']) expect(metric(body, `${p}_response_latency`)).toBeGreaterThan(0);
    expect(body.metrics.find((m: any) => m.name === 'p99_response_latency').unit).toBe('ms');
    expect(metric(body, 'p99_response_latency')).toBeGreaterThanOrEqual(metric(body, 'p50_response_latency'));
  });

  it('aggregates deployments and namespaces, and filters lists by labelSelector', async () => {
    const { ns } = await traffic();
    const get = await serve();
    const deps = await get(`/namespaces/${ns}/deployments`);
    expect(deps.body.kind).toBe('TrafficMetricsList');
    const byName = Object.fromEntries(deps.body.items.map((i: any) => [i.resource.name, metric(i, 'success_count')]));
    expect(byName).toEqual({ 'app-a-deployment': 0, 'app-b-deployment': 4 });
    const back = await get(`/namespaces/${ns}/deployments?labelSelector=tier%3Dback`);
    expect(back.body.items.map((i: any) => i.resource.name)).toEqual(['app-b-deployment']);
    const nsItem = await get(`/namespaces/${ns}`);
    expect(nsItem.body.resource).toEqual({ kind: 'Namespace', name: ns });
    expect(metric(nsItem.body, 'success_count')).toBe(4);
    const all = await get('/pods');
    expect(all.body.items).toHaveLength(2);
  });

  it('lists edges in both directions', async () => {
    const { ns } = await traffic();
    const get = await serve();
    const aEdges = await get(`/namespaces/${ns}/pods/app-a-pod/edges`);
    expect(aEdges.body.items).toHaveLength(1);
    expect(aEdges.body.items[0].edge).toEqual({ direction: 'to', side: 'client', resource: { kind: 'Pod', namespace: ns, name: 'app-b-pod' } });
    expect(metric(aEdges.body.items[0], 'success_count')).toBe(4);
    const bEdges = await get(`/namespaces/${ns}/deployments/app-b-deployment/edges`);
    expect(bEdges.body.items.map((i: any) => i.edge)).toEqual([
      { direction: 'from', side: 'server', resource: { kind: 'Deployment', namespace: ns, name: 'app-a-deployment' } },
    ]);
  });

  it('counts 5xx answers as failures', async () => {
    fx = createFixture();
    fx.namespace('n');
    const a = await fx.app('n', 'app-a', { serviceAccount: 'sa' });
    await fx.app('n', 'app-b', { serviceAccount: 'sa' });
    const [route, tt] = allowAll('n', 'sa', 'sa');
    fx.put('specs.smi-spec.io', 'tcproutes', route);
    fx.put('access.smi-spec.io', 'traffictargets', tt);
    // The sample app answers 500 when its own outbound call fails.
    await fx.call(a, { url: 'http://app-a.n:9091/call', method: 'POST', body: '{"url":"http://nowhere.n:9091/","method":"GET","body":""}' });
    const get = await serve();
    const { body } = await get('/namespaces/n/pods/app-a-pod');
    expect([metric(body, 'success_count'), metric(body, 'failure_count')]).toEqual([0, 1]);
  });

  it('answers 404 for unknown resources and objects, 400 for a bad selector, 405 for writes', async () => {
    fx = createFixture();
    const get = await serve();
    expect((await get('/namespaces/x/pods/nope')).status).toBe(404);
    expect((await get('/namespaces/x/pods/nope')).body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    expect((await get('/widgets')).status).toBe(404);
    expect((await get('/pods?labelSelector=%3D%3D%3D')).status).toBe(400);
    const port = (server!.address() as any).port;
    const post = await fetch(`http://127.0.0.1:${port}/apis/metrics.smi-spec.io/v1alpha1/pods`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
  });

  it('is absent under no-metrics-api', async () => {
    fx = createFixture({ mode: 'no-metrics-api' });
    expect(fx.sim.aggregatedApis()).toEqual([]);
  });
});

describe('quantities and the window', () => {
  it('prints counts and millisecond latencies as Kubernetes quantities', () => {
    expect([quantity(0), quantity(50), quantity(1500), quantity(2000), quantity(3_000_000)]).toEqual(['0', '50', '1500', '2k', '3M']);
    expect([milliQuantity(0), milliQuantity(10), milliQuantity(1.234), milliQuantity(0.5)]).toEqual(['0', '10', '1234m', '500m']);
    expect([parseQuantity('2k'), parseQuantity('1234m'), parseQuantity('10')]).toEqual([2000, 1.234, 10]);
  });

  it('forgets samples older than the window', () => {
    let t = 1_000_000;
    const rec = createTrafficRecorder({ windowMs: 30_000, now: () => t });
    const ref = { name: 'p', namespace: 'n', labels: {} };
    rec.record({ source: ref, destination: ref, status: 200, latencyMs: 1 });
    t += 20_000;
    rec.record({ source: ref, destination: ref, status: 200, latencyMs: 1 });
    expect(rec.samples()).toHaveLength(2);
    t += 15_000;
    expect(rec.samples()).toHaveLength(1);
  });
});
