import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import { apiError, clients, deployment, raw, until, type Cluster } from './clients.js';

let cluster: Cluster;
let c: ReturnType<typeof clients>;
const NS = 'ctl';
const started: string[] = [];
const stopped: string[] = [];

beforeAll(async () => {
  const { createEchoPodRuntime } = await import('../support/fake-cluster/index.mjs');
  const echo = createEchoPodRuntime();
  cluster = await startFakeCluster({
    podRuntime: {
      start: (p: any) => (started.push(p.metadata.name), echo.start(p)),
      stop: (p: any) => (stopped.push(p.metadata.name), echo.stop(p)),
      logs: (p: any) => `hello from ${p.metadata.name}\nline 2\nline 3\n`,
    },
  });
  c = clients(cluster);
  await c.core.createNamespace({ body: { metadata: { name: NS } } });
});
afterAll(() => cluster?.close());

const readyReplicas = async (name: string) => (await c.apps.readNamespacedDeployment({ name, namespace: NS })).status?.readyReplicas;

describe('deployments and pods', () => {
  it('runs one pod per replica, starts it through the pod runtime, and reports readiness', async () => {
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('app-a', NS, { app: 'app-a' }, { replicas: 2 }) });
    await until('2 ready replicas', async () => (await readyReplicas('app-a')) === 2);
    const dep = await c.apps.readNamespacedDeployment({ name: 'app-a', namespace: NS });
    expect(dep.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    expect(dep.status?.conditions?.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const pods = await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=app-a' });
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.metadata?.name).toMatch(/^app-a-[a-z0-9]{10}-[a-z0-9]{5}$/);
      expect(p.metadata?.labels?.['pod-template-hash']).toMatch(/^[a-z0-9]{10}$/);
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'app-a', controller: true });
      expect(p.spec?.serviceAccountName).toBe('default');
      expect(p.spec?.nodeName).toBe('fake-node');
      expect(p.spec?.containers[0].env).toEqual([{ name: 'SERVICE_NAME', value: 'app-a' }]);
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(p.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
      expect(p.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true, started: true });
      expect(started).toContain(p.metadata?.name);
    }
    expect(new Set(pods.items.map((p) => p.status?.podIP)).size).toBe(2);
    const running = await c.core.listNamespacedPod({ namespace: NS, fieldSelector: 'status.phase=Running' });
    expect(running.items.length).toBeGreaterThanOrEqual(2);
  });

  it('scales, rolls a changed template, and deletes pods with their Deployment', async () => {
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('app-b', NS, { app: 'app-b' }) });
    await until('app-b ready', async () => (await readyReplicas('app-b')) === 1);
    await c.apps.patchNamespacedDeployment({ name: 'app-b', namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    await until('3 ready', async () => (await readyReplicas('app-b')) === 3);
    const before = (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=app-b' })).items.map((p) => p.metadata?.name);
    await c.apps.patchNamespacedDeployment({ name: 'app-b', namespace: NS, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'example/app:2.0' }] });
    await until('the new template rolled out', async () => {
      const pods = (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=app-b' })).items;
      return pods.length === 3 && pods.every((p) => p.spec?.containers[0].image === 'example/app:2.0' && p.status?.phase === 'Running' && !before.includes(p.metadata?.name));
    });
    const dep = await c.apps.readNamespacedDeployment({ name: 'app-b', namespace: NS });
    expect(dep.status).toMatchObject({ observedGeneration: 3, updatedReplicas: 3, readyReplicas: 3 });
    expect(before.every((n) => stopped.includes(n!))).toBe(true);

    const pods = (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=app-b' })).items.map((p) => p.metadata!.name!);
    await c.apps.deleteNamespacedDeployment({ name: 'app-b', namespace: NS });
    await until('pods gone', async () => (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=app-b' })).items.length === 0);
    await cluster.idle();
    expect(pods.every((n) => stopped.includes(n))).toBe(true);
  });

  it('orphans the pods when asked to', async () => {
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('orphan', NS, { app: 'orphan' }) });
    await until('orphan ready', async () => (await readyReplicas('orphan')) === 1);
    await c.apps.deleteNamespacedDeployment({ name: 'orphan', namespace: NS, propagationPolicy: 'Orphan' });
    await cluster.idle();
    const pods = (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=orphan' })).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata?.ownerReferences).toBeUndefined();
  });

  it('runs a bare pod and deletes it', async () => {
    await c.core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'bare' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await until('bare running', async () => (await c.core.readNamespacedPod({ name: 'bare', namespace: NS })).status?.phase === 'Running');
    const p = await c.core.readNamespacedPod({ name: 'bare', namespace: NS });
    expect(p.spec?.containers[0].imagePullPolicy).toBe('Always');
    await c.core.deleteNamespacedPod({ name: 'bare', namespace: NS });
    await cluster.idle();
    expect(stopped).toContain('bare');
  });

  it('marks a pod whose runtime fails to start as not ready', async () => {
    const failing = await startFakeCluster({
      podRuntime: { start: async () => { throw new Error('image pull failed'); }, stop: async () => {}, logs: () => '' },
    });
    try {
      const f = clients(failing);
      await f.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('broken', 'default', { app: 'broken' }) });
      await failing.idle();
      const pod = (await f.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=broken' })).items[0];
      expect(pod.status?.containerStatuses?.[0].state?.waiting).toEqual({ reason: 'CrashLoopBackOff', message: 'image pull failed' });
      const dep = await f.apps.readNamespacedDeployment({ name: 'broken', namespace: 'default' });
      expect(dep.status?.readyReplicas).toBeUndefined();
      expect(dep.status?.unavailableReplicas).toBe(1);
      expect(dep.status?.conditions?.find((x) => x.type === 'Available')?.status).toBe('False');
      const logs = await raw(failing, 'GET', `/api/v1/namespaces/default/pods/${pod.metadata?.name}/log`);
      expect(logs.status).toBe(400);
      expect(logs.body.message).toBe(`container "app" in pod "${pod.metadata?.name}" is waiting to start: CrashLoopBackOff`);
    } finally {
      await failing.close();
    }
  });
});

describe('services', () => {
  it('assigns a cluster IP and node ports, and keeps Endpoints in step with ready pods', async () => {
    const svc = await c.core.createNamespacedService({
      namespace: NS,
      body: { metadata: { name: 'app-a' }, spec: { type: 'NodePort', selector: { app: 'app-a' }, ports: [{ port: 9091, targetPort: 'http' as any }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 9091, protocol: 'TCP', nodePort: expect.any(Number) });
    expect(svc.spec?.ports?.[0].nodePort).toBeGreaterThanOrEqual(30000);
    await cluster.idle();
    const ep = await c.core.readNamespacedEndpoints({ name: 'app-a', namespace: NS });
    expect(ep.subsets?.[0].addresses?.map((a) => a.targetRef?.kind)).toEqual(['Pod', 'Pod']);
    expect(ep.subsets?.[0].ports).toEqual([{ port: 9091, protocol: 'TCP' }]);

    const taken = await apiError(
      c.core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'clash' }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80, nodePort: svc.spec?.ports?.[0].nodePort }] } } }),
    );
    expect(taken.code).toBe(422);
    expect(taken.status.message).toContain('provided port is already allocated');

    // a replace without clusterIP keeps it, as the real registry does
    const live = await c.core.readNamespacedService({ name: 'app-a', namespace: NS });
    const replaced = await c.core.replaceNamespacedService({ name: 'app-a', namespace: NS, body: { ...live, spec: { ...live.spec, clusterIP: undefined, clusterIPs: undefined } } });
    expect(replaced.spec?.clusterIP).toBe(svc.spec?.clusterIP);

    await c.apps.patchNamespacedDeployment({ name: 'app-a', namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] });
    await until('one endpoint', async () => (await c.core.readNamespacedEndpoints({ name: 'app-a', namespace: NS })).subsets?.[0].addresses?.length === 1);
    await c.core.deleteNamespacedService({ name: 'app-a', namespace: NS });
    await cluster.idle();
    expect((await raw(cluster, 'GET', `/api/v1/namespaces/${NS}/endpoints/app-a`)).status).toBe(404);
  });

  it('has the kubernetes service in default', async () => {
    const svc = await c.core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    expect(svc.spec?.clusterIP).toBe('10.96.0.1');
  });
});

describe('pods/log', () => {
  it('serves the pod runtime lines to client-node Log, with tailLines and container checks', async () => {
    const pod = (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=app-a' })).items[0];
    const name = pod.metadata!.name!;
    const read = async (opts: k8s.LogOptions) => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      const ended = new Promise((r) => out.on('end', r));
      await new k8s.Log(c.kc).log(NS, name, 'app', out, opts);
      await ended;
      return text;
    };
    expect(await read({})).toBe(`hello from ${name}\nline 2\nline 3\n`);
    expect(await read({ tailLines: 1 })).toBe('line 3\n');
    expect(await read({ timestamps: true })).toMatch(/^\d{4}-\d\d-\d\dT\S+Z hello from/);
    const bad = await raw(cluster, 'GET', `/api/v1/namespaces/${NS}/pods/${name}/log?container=nope`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(`container nope is not valid for pod ${name}`);
    const text = await c.core.readNamespacedPodLog({ name, namespace: NS });
    expect(text).toContain('hello from');
  });
});

describe('nodes', () => {
  it('has one Ready node', async () => {
    const nodes = await c.core.listNode();
    expect(nodes.items.map((n) => [n.metadata?.name, n.status?.conditions?.find((x) => x.type === 'Ready')?.status])).toEqual([['fake-node', 'True']]);
  });
});
