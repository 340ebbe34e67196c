import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startFakeCluster, loadSmiCrds } from '../support/fake-cluster/index.mjs';
import { apiError, clients, deployment, raw, type Cluster } from './clients.js';

let cluster: Cluster;
let c: ReturnType<typeof clients>;
const NS = 'patching';
const requests: Array<{ method: string; contentType: string }> = [];

const split = (name: string, weights: [number, number]) => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: { name, namespace: NS },
  spec: { service: 'app-svc', backends: [{ service: 'app-b', weight: weights[0] }, { service: 'app-c', weight: weights[1] }] },
});

beforeAll(async () => {
  cluster = await startFakeCluster({ crds: loadSmiCrds(), requestLog: (_line: string, r: any) => requests.push(r) });
  c = clients(cluster);
  await c.core.createNamespace({ body: { metadata: { name: NS } } });
});
afterAll(() => cluster?.close());

describe('patching custom resources', () => {
  it('answers a strategic-merge patch with 415, and KubernetesObjectApi.patch sends one by default', async () => {
    await c.objects.create(split('smp', [1, 0]));
    requests.length = 0;
    const e = await apiError(c.objects.patch(split('smp', [0, 1])));
    const sent = requests.filter((r) => r.method === 'PATCH').map((r) => r.contentType);
    expect(sent).toEqual(['application/strategic-merge-patch+json']);
    expect(e.code).toBe(415);
    expect(e.status).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    });
    const live = (await c.objects.read(split('smp', [0, 0]))) as any;
    expect(live.spec.backends.map((b: any) => b.weight)).toEqual([1, 0]);
  });

  it('applies a JSON merge patch', async () => {
    await c.objects.create(split('merge', [1, 0]));
    const patched = (await c.objects.patch(split('merge', [75, 25]), undefined, undefined, 'meshspec', undefined, k8s.PatchStrategy.MergePatch)) as any;
    expect(patched.spec.backends).toEqual([{ service: 'app-b', weight: 75 }, { service: 'app-c', weight: 25 }]);
    const removed = await raw(cluster, 'PATCH', `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits/merge`, { metadata: { labels: { a: 'b' } }, spec: { matches: null } }, { 'content-type': 'application/merge-patch+json' });
    expect(removed.status).toBe(200);
    expect(removed.body.metadata.labels).toEqual({ a: 'b' });
  });

  it('applies a JSON patch, and fails a failed test operation with 422', async () => {
    await c.objects.create(split('json', [1, 0]));
    const ok = await raw(cluster, 'PATCH', `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits/json`, [{ op: 'replace', path: '/spec/backends/1/weight', value: 9 }], { 'content-type': 'application/json-patch+json' });
    expect(ok.body.spec.backends[1].weight).toBe(9);
    const bad = await raw(cluster, 'PATCH', `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits/json`, [{ op: 'test', path: '/spec/service', value: 'other' }], { 'content-type': 'application/json-patch+json' });
    expect(bad.status).toBe(422);
  });

  it('server-side applies: creates, updates, owns fields, conflicts across managers unless forced', async () => {
    const created = (await c.objects.patch(split('ssa', [50, 50]), undefined, undefined, 'meshspec', true, k8s.PatchStrategy.ServerSideApply)) as any;
    expect(created.spec.backends.map((b: any) => b.weight)).toEqual([50, 50]);
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'meshspec', operation: 'Apply', apiVersion: 'split.smi-spec.io/v1alpha4', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:backends': {}, 'f:service': {} } } }),
    ]);

    const updated = (await c.objects.patch(split('ssa', [100, 0]), undefined, undefined, 'meshspec', true, k8s.PatchStrategy.ServerSideApply)) as any;
    expect(updated.spec.backends.map((b: any) => b.weight)).toEqual([100, 0]);
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));

    const conflict = await apiError(c.objects.patch(split('ssa', [0, 100]), undefined, undefined, 'someone-else', undefined, k8s.PatchStrategy.ServerSideApply));
    expect(conflict.code).toBe(409);
    expect(conflict.status.reason).toBe('Conflict');
    expect(conflict.status.message).toBe('Apply failed with 1 conflict: conflict with "meshspec" using split.smi-spec.io/v1alpha4: .spec.backends');
    expect(conflict.status.details.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "meshspec" using split.smi-spec.io/v1alpha4', field: '.spec.backends' }]);

    const forced = (await c.objects.patch(split('ssa', [0, 100]), undefined, undefined, 'someone-else', true, k8s.PatchStrategy.ServerSideApply)) as any;
    expect(forced.spec.backends.map((b: any) => b.weight)).toEqual([0, 100]);
    expect(forced.metadata.managedFields.map((m: any) => m.manager)).toEqual(['meshspec', 'someone-else']);
  });

  it('removes fields a manager applied before and now omits', async () => {
    const withMatches = { ...split('omit', [1, 1]), spec: { ...split('omit', [1, 1]).spec, matches: [{ kind: 'HTTPRouteGroup', name: 'rg' }] } };
    await c.objects.patch(withMatches, undefined, undefined, 'meshspec', true, k8s.PatchStrategy.ServerSideApply);
    const without = (await c.objects.patch(split('omit', [1, 1]), undefined, undefined, 'meshspec', true, k8s.PatchStrategy.ServerSideApply)) as any;
    expect(without.spec.matches).toBeUndefined();
  });

  it('requires a fieldManager for apply and refuses force on other patch types', async () => {
    const path = `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits/ssa`;
    const noManager = await raw(cluster, 'PATCH', path, split('ssa', [1, 1]), { 'content-type': 'application/apply-patch+yaml' });
    expect(noManager.status).toBe(422);
    expect(noManager.body.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const forceMerge = await raw(cluster, 'PATCH', `${path}?force=true`, { spec: {} }, { 'content-type': 'application/merge-patch+json' });
    expect(forceMerge.status).toBe(422);
  });

  it('accepts apply configurations written as YAML', async () => {
    const yaml = `apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata:\n  name: yaml\n  namespace: ${NS}\nspec:\n  service: app-svc\n  backends:\n  - service: app-b\n    weight: 1\n`;
    const r = await raw(cluster, 'PATCH', `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits/yaml?fieldManager=kubectl`, yaml, { 'content-type': 'application/apply-patch+yaml' });
    expect(r.status).toBe(201);
    expect(r.body.spec.backends).toEqual([{ service: 'app-b', weight: 1 }]);
  });
});

describe('patching built-in kinds', () => {
  it('accepts strategic merge and merges containers by name', async () => {
    const d = deployment('web', NS, { app: 'web' });
    d.spec.template.spec.containers.push({ name: 'side', image: 'side:1', ports: [], env: [] });
    await c.apps.createNamespacedDeployment({ namespace: NS, body: d });
    const patch = { spec: { template: { spec: { containers: [{ name: 'app', image: 'example/app:2.0' }] } } } };
    const r = await raw(cluster, 'PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web`, patch, { 'content-type': 'application/strategic-merge-patch+json' });
    expect(r.status).toBe(200);
    expect(r.body.spec.template.spec.containers.map((x: any) => [x.name, x.image])).toEqual([['app', 'example/app:2.0'], ['side', 'side:1']]);
    expect(r.body.metadata.generation).toBe(2);
    // the same body as a merge patch replaces the whole list
    const m = await raw(cluster, 'PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web`, patch, { 'content-type': 'application/merge-patch+json' });
    expect(m.body.spec.template.spec.containers.map((x: any) => x.name)).toEqual(['app']);
  });

  it('lets KubernetesObjectApi.patch (strategic merge) scale a Deployment', async () => {
    const patched = (await c.objects.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS }, spec: { replicas: 3 } } as any)) as any;
    expect(patched.spec.replicas).toBe(3);
  });

  it('conflicts an apply with fields another manager set through an update', async () => {
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('owned', NS, { app: 'owned' }, { replicas: 2 }) });
    const config = { ...deployment('owned', NS, { app: 'owned' }, { replicas: 5 }) };
    const e = await apiError(c.objects.patch(config, undefined, undefined, 'meshspec', undefined, k8s.PatchStrategy.ServerSideApply));
    expect(e.code).toBe(409);
    expect(e.status.message).toMatch(/^Apply failed with \d+ conflicts?: conflicts? with "node-fetch" using apps\/v1/);
    expect(e.status.details.causes.map((x: any) => x.field)).toContain('.spec.replicas');
    const forced = (await c.objects.patch(config, undefined, undefined, 'meshspec', true, k8s.PatchStrategy.ServerSideApply)) as any;
    expect(forced.spec.replicas).toBe(5);
  });
});
