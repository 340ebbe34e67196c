import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startFakeCluster, loadSmiCrds, createEchoPodRuntime } from '../support/fake-cluster/index.mjs';
import { apiError, clients, deployment, raw, until, type Cluster } from './clients.js';

let cluster: Cluster;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  cluster = await startFakeCluster({ crds: loadSmiCrds() });
  c = clients(cluster);
  await c.core.createNamespace({ body: { metadata: { name: 'crud' } } });
});
afterAll(() => cluster?.close());

describe('create, get and errors', () => {
  it('creates with server fields set and answers a second create with 409 AlreadyExists', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'one', labels: { a: 'b' } }, data: { k: 'v' } } });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const e = await apiError(c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'one' } } }));
    expect(e.code).toBe(409);
    expect(e.status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'configmaps "one" already exists', reason: 'AlreadyExists', details: { name: 'one', kind: 'configmaps' }, code: 409,
    });
  });

  it('answers a missing object with a 404 NotFound Status naming group and resource', async () => {
    const e = await apiError(c.apps.readNamespacedDeployment({ name: 'nope', namespace: 'crud' }));
    expect(e.code).toBe(404);
    expect(e.status).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'deployments.apps "nope" not found', details: { name: 'nope', group: 'apps', kind: 'deployments' } });
    const cr = await raw(cluster, 'GET', '/apis/split.smi-spec.io/v1alpha4/namespaces/crud/trafficsplits/nope');
    expect(cr.body.message).toBe('trafficsplits.split.smi-spec.io "nope" not found');
  });

  it('refuses objects in a namespace that does not exist', async () => {
    const e = await apiError(c.core.createNamespacedServiceAccount({ namespace: 'ghost', body: { metadata: { name: 'sa' } } }));
    expect(e.code).toBe(404);
    expect(e.status.message).toBe('namespaces "ghost" not found');
  });

  it('validates names as kube-apiserver does', async () => {
    const e = await apiError(c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'Bad_Name' } } }));
    expect(e.code).toBe(422);
    expect(e.status.reason).toBe('Invalid');
    expect(e.status.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const g = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { generateName: 'gen-' } } });
    expect(g.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('rejects a Deployment whose selector does not match its template', async () => {
    const e = await apiError(
      c.apps.createNamespacedDeployment({
        namespace: 'crud',
        body: { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
      }),
    );
    expect(e.code).toBe(422);
    expect(e.status.details.causes[0]).toMatchObject({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid' });
  });

  it('speaks no protobuf (kubectl create/apply would send it)', async () => {
    const r = await raw(cluster, 'POST', '/api/v1/namespaces/crud/configmaps', 'x', { 'content-type': 'application/vnd.kubernetes.protobuf' });
    expect(r.status).toBe(415);
    expect(r.body.reason).toBe('UnsupportedMediaType');
  });
});

describe('list', () => {
  beforeAll(async () => {
    for (const [name, labels] of Object.entries<Record<string, string>>({ a1: { app: 'a', tier: 'web' }, a2: { app: 'a', tier: 'db' }, b1: { app: 'b' }, c1: { other: 'x' } })) {
      await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: `sel-${name}`, labels } } });
    }
  });
  const names = async (opts: { labelSelector?: string; fieldSelector?: string }) =>
    (await c.core.listNamespacedConfigMap({ namespace: 'crud', ...opts })).items.map((i) => i.metadata?.name).filter((n) => n?.startsWith('sel-'));

  it('filters by equality and set-based label selectors', async () => {
    expect(await names({ labelSelector: 'app=a' })).toEqual(['sel-a1', 'sel-a2']);
    expect(await names({ labelSelector: 'app==a,tier!=db' })).toEqual(['sel-a1']);
    expect(await names({ labelSelector: 'app in (a, b)' })).toEqual(['sel-a1', 'sel-a2', 'sel-b1']);
    expect(await names({ labelSelector: 'app notin (a),app' })).toEqual(['sel-b1']);
    expect(await names({ labelSelector: '!app' })).toEqual(['sel-c1']);
    const bad = await apiError(c.core.listNamespacedConfigMap({ namespace: 'crud', labelSelector: 'app in (a' }));
    expect(bad.code).toBe(400);
  });

  it('filters by metadata.name and rejects unsupported field labels', async () => {
    expect(await names({ fieldSelector: 'metadata.name=sel-b1' })).toEqual(['sel-b1']);
    const bad = await apiError(c.core.listNamespacedConfigMap({ namespace: 'crud', fieldSelector: 'data.k=v' }));
    expect(bad.code).toBe(400);
    expect(bad.status.message).toBe('field label not supported: data.k');
  });

  it('lists across namespaces, pages with limit/continue, and omits apiVersion/kind on built-in items', async () => {
    const all = await raw(cluster, 'GET', '/api/v1/configmaps?labelSelector=app');
    expect(all.body).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
    expect(all.body.items).toHaveLength(3);
    expect(all.body.items[0].kind).toBeUndefined();
    const page1 = await raw(cluster, 'GET', '/api/v1/namespaces/crud/configmaps?labelSelector=app&limit=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.metadata.remainingItemCount).toBe(1);
    const page2 = await raw(cluster, 'GET', `/api/v1/namespaces/crud/configmaps?labelSelector=app&limit=2&continue=${page1.body.metadata.continue}`);
    expect(page2.body.items.map((i: any) => i.metadata.name)).toEqual(['sel-b1']);
    expect(page2.body.metadata.continue).toBeUndefined();
  });
});

describe('update and delete', () => {
  it('answers a PUT with a stale resourceVersion with 409 Conflict', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'upd' }, data: { v: '1' } } });
    const fresh = await c.core.replaceNamespacedConfigMap({ name: 'upd', namespace: 'crud', body: { ...cm, data: { v: '2' } } });
    expect(Number(fresh.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));
    const e = await apiError(c.core.replaceNamespacedConfigMap({ name: 'upd', namespace: 'crud', body: { ...cm, data: { v: '3' } } }));
    expect(e.code).toBe(409);
    expect(e.status).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again',
    });
    const same = await c.core.replaceNamespacedConfigMap({ name: 'upd', namespace: 'crud', body: fresh });
    expect(same.metadata?.resourceVersion).toBe(fresh.metadata?.resourceVersion);
  });

  it('requires a resourceVersion to replace a custom resource', async () => {
    const { objects } = c;
    const split = { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's', namespace: 'crud' }, spec: { service: 'svc', backends: [{ service: 'b', weight: 1 }] } };
    await objects.create(split);
    const e = await apiError(objects.replace(split));
    expect(e.code).toBe(422);
    expect(e.status.message).toContain('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    const live = await objects.read(split);
    const replaced = await objects.replace({ ...live, spec: { service: 'svc', backends: [{ service: 'c', weight: 2 }] } } as k8s.KubernetesObject);
    expect((replaced as any).spec.backends).toEqual([{ service: 'c', weight: 2 }]);
    expect(replaced.metadata?.generation).toBe(2);
  });

  it('keeps status out of main-resource writes when a status subresource exists', async () => {
    const dep = await c.apps.createNamespacedDeployment({
      namespace: 'crud',
      body: { metadata: { name: 'st' }, spec: { replicas: 0, selector: { matchLabels: { app: 'st' } }, template: { metadata: { labels: { app: 'st' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } }, status: { readyReplicas: 7 } },
    });
    expect(dep.status?.readyReplicas).toBeUndefined();
    await cluster.idle();
    const live = await c.apps.readNamespacedDeployment({ name: 'st', namespace: 'crud' });
    await c.apps.replaceNamespacedDeployment({ name: 'st', namespace: 'crud', body: { ...live, status: { readyReplicas: 9 } } });
    expect((await c.apps.readNamespacedDeployment({ name: 'st', namespace: 'crud' })).status?.readyReplicas).toBeUndefined();
    const viaStatus = await raw(cluster, 'PATCH', '/apis/apps/v1/namespaces/crud/deployments/st/status', { status: { observedGeneration: 42 } }, { 'content-type': 'application/merge-patch+json' });
    expect(viaStatus.status).toBe(200);
    expect(viaStatus.body.status.observedGeneration).toBe(42);
  });

  it('returns the deleted object for pods and custom resources, and a Status for others', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'gone' } } });
    const st = await raw(cluster, 'DELETE', '/api/v1/namespaces/crud/configmaps/gone');
    expect(st.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', kind: 'configmaps', uid: expect.any(String) } });
    const again = await raw(cluster, 'DELETE', '/api/v1/namespaces/crud/configmaps/gone');
    expect(again.status).toBe(404);
    const del = await raw(cluster, 'DELETE', '/apis/split.smi-spec.io/v1alpha4/namespaces/crud/trafficsplits/s?propagationPolicy=Foreground');
    expect(del.body).toMatchObject({ kind: 'TrafficSplit', metadata: { name: 's' } });
  });

  it('deletes a collection by label, and refuses verbs a resource does not have', async () => {
    for (const n of ['dc1', 'dc2', 'dc3']) {
      await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: n, labels: { batch: n === 'dc3' ? 'keep' : 'drop' } } } });
    }
    const gone = await raw(cluster, 'DELETE', '/api/v1/namespaces/crud/configmaps?labelSelector=batch%3Ddrop');
    expect(gone.body.kind).toBe('ConfigMapList');
    expect(gone.body.items.map((i: any) => i.metadata.name)).toEqual(['dc1', 'dc2']);
    expect((await c.core.listNamespacedConfigMap({ namespace: 'crud', labelSelector: 'batch' })).items.map((i) => i.metadata?.name)).toEqual(['dc3']);
    const r = await raw(cluster, 'DELETE', '/api/v1/namespaces');
    expect(r.status).toBe(405);
    expect(r.body.reason).toBe('MethodNotAllowed');
  });

  it('deletes a namespace and everything in it, Terminating until its pods stop, and refuses new content meanwhile', async () => {
    // A pod runtime whose stop waits for the test: the namespace must stay Terminating until then.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const echo = createEchoPodRuntime();
    const slow = await startFakeCluster({
      podRuntime: { start: (p: any) => echo.start(p), stop: async (p: any) => { await gate; await echo.stop(p); }, logs: (p: any) => echo.logs(p) },
    });
    try {
      const s = clients(slow);
      await s.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
      await s.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
      await s.apps.createNamespacedDeployment({ namespace: 'doomed', body: deployment('app', 'doomed', { app: 'x' }) });
      await until('the pod to be ready', async () => (await s.apps.readNamespacedDeployment({ name: 'app', namespace: 'doomed' })).status?.readyReplicas === 1);
      const marked = await s.core.deleteNamespace({ name: 'doomed' });
      expect((marked as any).status?.phase).toBe('Terminating');
      const ns = await s.core.readNamespace({ name: 'doomed' });
      expect(ns.status?.phase).toBe('Terminating');
      expect(ns.metadata?.deletionTimestamp).toBeInstanceOf(Date);
      expect(slow.store.list({ group: '', resource: 'configmaps', namespace: 'doomed' })).toEqual([]);
      const refused = await apiError(s.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'y' } } }));
      expect(refused.code).toBe(403);
      expect(refused.status.message).toBe('configmaps "y" is forbidden: unable to create new content in namespace doomed because it is being terminated');
      release();
      await until('namespace doomed to go', async () => (await raw(slow, 'GET', '/api/v1/namespaces/doomed')).status === 404);
    } finally {
      release();
      await slow.close();
      await echo.close();
    }
    const protectedNs = await apiError(c.core.deleteNamespace({ name: 'default' }));
    expect(protectedNs.code).toBe(403);
  });

  it('gives a new namespace phase Active, its name label and a default ServiceAccount', async () => {
    const ns = await c.core.createNamespace({ body: { metadata: { name: 'fresh', labels: { 'openservicemesh.io/monitored-by': 'osm' } } } });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.metadata?.labels).toEqual({ 'openservicemesh.io/monitored-by': 'osm', 'kubernetes.io/metadata.name': 'fresh' });
    await cluster.idle();
    const sa = await c.core.readNamespacedServiceAccount({ name: 'default', namespace: 'fresh' });
    expect(sa.metadata?.name).toBe('default');
  });
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED events as JSON lines, filtered by label', async () => {
    const events: Array<[string, string]> = [];
    const w = new k8s.Watch(c.kc);
    const ctrl = await w.watch('/api/v1/namespaces/crud/configmaps', { labelSelector: 'watched=yes' }, (type, obj) => events.push([type, obj.metadata.name]), () => {});
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'w1', labels: { watched: 'yes' } } } });
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'w2' } } });
    await c.core.patchNamespacedConfigMap({ name: 'w1', namespace: 'crud', body: [{ op: 'add', path: '/data', value: { k: 'v' } }] });
    await c.core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'crud' });
    await until('three events', () => events.length >= 3);
    ctrl.abort();
    expect(events).toEqual([['ADDED', 'w1'], ['MODIFIED', 'w1'], ['DELETED', 'w1']]);
  });

  it("feeds client-node's informer (list, then watch from the list's resourceVersion)", async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'informed' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'before' } } });
    const inf = k8s.makeInformer(c.kc, '/api/v1/namespaces/informed/configmaps', () => c.core.listNamespacedConfigMap({ namespace: 'informed' }));
    const seen: string[] = [];
    inf.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    inf.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    inf.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await inf.start();
    try {
      await c.core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'after' } } });
      await c.core.patchNamespacedConfigMap({ name: 'after', namespace: 'informed', body: [{ op: 'add', path: '/data', value: { a: 'b' } }] });
      await c.core.deleteNamespacedConfigMap({ name: 'before', namespace: 'informed' });
      await until('four informer events', () => seen.length >= 4);
      expect(seen).toEqual(['add before', 'add after', 'update after', 'delete before']);
      expect(inf.list().map((o) => o.metadata?.name)).toEqual(['after']);
    } finally {
      await inf.stop();
    }
  });

  it('resumes from a resourceVersion', async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: 'crud' });
    const rv = list.metadata?.resourceVersion;
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'after' } } });
    const res = await raw(cluster, 'GET', `/api/v1/namespaces/crud/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1`);
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.type, l.object.metadata.name])).toEqual([['ADDED', 'after']]);
    expect(lines[0].object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
  });
});
