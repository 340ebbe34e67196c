import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startFakeCluster, loadSmiCrds } from '../support/fake-cluster/index.mjs';
import { clients, raw, type Cluster } from './clients.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startFakeCluster({ crds: loadSmiCrds() });
});
afterAll(() => cluster?.close());

describe('discovery', () => {
  it('serves /version without a token, and everything else only with it', async () => {
    const v = await fetch(`${cluster.url}/version`);
    expect(v.status).toBe(200);
    expect(await v.json()).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\.\d+/) });
    const denied = await fetch(`${cluster.url}/api/v1/namespaces`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const { kc } = clients(cluster);
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\./);
  });

  it('lists the core version, the groups and their resources, subresources after their resource', async () => {
    const api = await raw(cluster, 'GET', '/api');
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });

    const core = (await raw(cluster, 'GET', '/api/v1')).body;
    expect(core).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const names = core.resources.map((r: any) => r.name);
    for (const n of ['namespaces', 'pods', 'pods/log', 'pods/portforward', 'pods/status', 'services', 'endpoints', 'serviceaccounts']) {
      expect(names).toContain(n);
    }
    expect(names.indexOf('pods')).toBeLessThan(names.indexOf('pods/log'));
    expect(core.resources.find((r: any) => r.name === 'pods')).toMatchObject({ kind: 'Pod', namespaced: true, singularName: 'pod', shortNames: ['po'] });
    expect(core.resources.find((r: any) => r.name === 'pods/portforward')).toMatchObject({ kind: 'PodPortForwardOptions', verbs: ['create', 'get'] });
    expect(core.resources.find((r: any) => r.name === 'namespaces')).toMatchObject({ namespaced: false });

    const groups = (await raw(cluster, 'GET', '/apis')).body;
    expect(groups.kind).toBe('APIGroupList');
    const groupNames = groups.groups.map((g: any) => g.name);
    for (const g of ['apps', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'access.smi-spec.io', 'specs.smi-spec.io', 'split.smi-spec.io']) {
      expect(groupNames).toContain(g);
    }
    const access = groups.groups.find((g: any) => g.name === 'access.smi-spec.io');
    expect(access).toEqual({
      name: 'access.smi-spec.io',
      versions: [{ groupVersion: 'access.smi-spec.io/v1alpha3', version: 'v1alpha3' }],
      preferredVersion: { groupVersion: 'access.smi-spec.io/v1alpha3', version: 'v1alpha3' },
    });
    const apps = (await raw(cluster, 'GET', '/apis/apps/v1')).body;
    expect(apps.resources.map((r: any) => r.name)).toEqual(['deployments', 'deployments/status']);
    expect((await raw(cluster, 'GET', '/apis/apps')).body).toMatchObject({ kind: 'APIGroup', name: 'apps' });
  });

  it('serves only the versions a CRD marks served', async () => {
    const served = (await raw(cluster, 'GET', '/apis/access.smi-spec.io/v1alpha3')).body;
    expect(served.resources[0]).toMatchObject({ name: 'traffictargets', kind: 'TrafficTarget', singularName: 'traffictarget', shortNames: ['tt'], namespaced: true });
    const notServed = await raw(cluster, 'GET', '/apis/access.smi-spec.io/v1alpha2');
    expect(notServed.status).toBe(404);
    expect(notServed.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    const list = await raw(cluster, 'GET', '/apis/access.smi-spec.io/v1alpha2/namespaces/default/traffictargets');
    expect(list.status).toBe(404);
  });

  it('lets KubernetesObjectApi resolve built-in and custom kinds', async () => {
    const { objects } = clients(cluster);
    const listed = await objects.list('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'default');
    expect(listed.items).toEqual([]);
    const ns = await objects.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    expect(ns.metadata?.name).toBe('default');
    await expect(objects.list('access.smi-spec.io/v1alpha2', 'TrafficTarget', 'default')).rejects.toThrow();
  });

  it('adds a CRD group when the CRD is established and removes it when the CRD goes', async () => {
    const { ext, objects } = clients(cluster);
    await ext.createCustomResourceDefinition({
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { kind: 'Widget', plural: 'widgets' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } } } }],
        },
      },
    });
    await cluster.idle();
    const crd = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
    expect(crd.status?.acceptedNames).toMatchObject({ kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' });
    expect(crd.status?.conditions?.map((c) => [c.type, c.status])).toEqual([['NamesAccepted', 'True'], ['Established', 'True']]);
    expect((await raw(cluster, 'GET', '/apis')).body.groups.map((g: any) => g.name)).toContain('example.com');
    await objects.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { anything: 1 } } as any);
    const as = await raw(cluster, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.example.com');
    expect(as.body.status.conditions[0]).toMatchObject({ type: 'Available', status: 'True', reason: 'Local' });

    await ext.deleteCustomResourceDefinition({ name: 'widgets.example.com' });
    await cluster.idle();
    expect((await raw(cluster, 'GET', '/apis')).body.groups.map((g: any) => g.name)).not.toContain('example.com');
    expect((await raw(cluster, 'GET', '/apis/example.com/v1')).status).toBe(404);
    expect(cluster.store.list({ group: 'example.com', resource: 'widgets' })).toEqual([]);
  });

  it('routes an aggregated API to its handler and lists it only while the handler is there', async () => {
    const seen: any[] = [];
    const withdraw = cluster.registerAggregatedApi({
      group: 'metrics.smi-spec.io',
      version: 'v1alpha1',
      resources: [{ name: 'deployments', singularName: '', namespaced: true, kind: 'TrafficMetrics', verbs: ['get', 'list'] }],
      handle(_req: any, res: any, ctx: any) {
        seen.push({ ...ctx, query: ctx.query.toString() });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'TrafficMetrics', apiVersion: 'metrics.smi-spec.io/v1alpha1' }));
      },
    });
    const as = await raw(cluster, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.metrics.smi-spec.io');
    expect(as.body.spec).toMatchObject({ group: 'metrics.smi-spec.io', version: 'v1alpha1', service: { namespace: 'kube-system' } });
    expect(as.body.status.conditions[0]).toMatchObject({ type: 'Available', status: 'True' });
    expect((await raw(cluster, 'GET', '/apis')).body.groups.map((g: any) => g.name)).toContain('metrics.smi-spec.io');
    const list = (await raw(cluster, 'GET', '/apis/metrics.smi-spec.io/v1alpha1')).body;
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'metrics.smi-spec.io/v1alpha1', resources: [{ name: 'deployments' }] });
    const got = await raw(cluster, 'GET', '/apis/metrics.smi-spec.io/v1alpha1/namespaces/ns1/deployments/app-b/edges?window=30s');
    expect(got.body.kind).toBe('TrafficMetrics');
    expect(seen[0]).toMatchObject({ namespace: 'ns1', resource: 'deployments', name: 'app-b', subresource: 'edges', query: 'window=30s' });

    withdraw();
    expect((await raw(cluster, 'GET', '/apis')).body.groups.map((g: any) => g.name)).not.toContain('metrics.smi-spec.io');
    expect((await raw(cluster, 'GET', '/apis/metrics.smi-spec.io/v1alpha1/namespaces/ns1/deployments')).status).toBe(404);
    const after = await raw(cluster, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.metrics.smi-spec.io');
    expect(after.body.status.conditions[0]).toMatchObject({ type: 'Available', status: 'False', reason: 'ServiceNotFound' });
  });

  it('lists the local APIServices of the built-in groups', async () => {
    const list = (await raw(cluster, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices')).body;
    const names = list.items.map((i: any) => i.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['v1.', 'v1.apps', 'v1.apiextensions.k8s.io', 'v1alpha3.access.smi-spec.io']));
  });
});
