import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import { clients, deployment, httpRequest, portForward, until, type Cluster } from './clients.js';

let cluster: Cluster;
let c: ReturnType<typeof clients>;
let podName: string;
const NS = 'pf';

beforeAll(async () => {
  cluster = await startFakeCluster();
  c = clients(cluster);
  await c.core.createNamespace({ body: { metadata: { name: NS } } });
  await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('app-a', NS, { app: 'app-a' }) });
  await until('app-a ready', async () => (await c.apps.readNamespacedDeployment({ name: 'app-a', namespace: NS })).status?.readyReplicas === 1);
  podName = (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=app-a' })).items[0].metadata!.name!;
});
afterAll(() => cluster?.close());

/** Opens a raw port-forward WebSocket the way client-node does (same subprotocol offer). */
function openRaw(path: string, token = cluster.token): Promise<{ ws: WebSocket; frames: Buffer[]; protocol: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}${path}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'], {
      headers: { authorization: `Bearer ${token}` },
    });
    const frames: Buffer[] = [];
    ws.on('message', (d) => frames.push(d as Buffer));
    ws.on('open', () => resolve({ ws, frames, protocol: ws.protocol }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('pods/portforward', () => {
  it('negotiates v4.channel.k8s.io and sends the port header on both channels first', async () => {
    const { ws, frames, protocol } = await openRaw(`/api/v1/namespaces/${NS}/pods/${podName}/portforward?ports=9091`);
    expect(protocol).toBe('v4.channel.k8s.io');
    await until('two header frames', () => frames.length >= 2);
    expect(frames.slice(0, 2).map((f) => [...f])).toEqual([[0, 9091 & 0xff, 9091 >> 8], [1, 9091 & 0xff, 9091 >> 8]]);
    const closed = new Promise((r) => ws.on('close', r));
    ws.close();
    await closed;
  });

  it('carries HTTP to the pod through client-node PortForward, sequentially and concurrently', async () => {
    const fwd = await portForward(c.kc, NS, podName, 9091);
    try {
      const one = await httpRequest(fwd.port, '/echo?x=1');
      expect(one.status).toBe(200);
      expect(JSON.parse(one.body)).toMatchObject({ pod: podName, namespace: NS, method: 'GET', path: '/echo?x=1' });
      const many = await Promise.all(Array.from({ length: 10 }, (_, i) => httpRequest(fwd.port, `/n/${i}`)));
      expect(many.map((r) => JSON.parse(r.body).path)).toEqual(Array.from({ length: 10 }, (_, i) => `/n/${i}`));
      const big = 'x'.repeat(1024 * 1024);
      const posted = await httpRequest(fwd.port, '/upload', { method: 'POST', body: big });
      expect(JSON.parse(posted.body).body.length).toBe(big.length);
      expect(fwd.errors).toEqual([]);
    } finally {
      await fwd.close();
    }
  });

  it('reports a port the pod does not listen on through the error channel and closes', async () => {
    const { ws, frames } = await openRaw(`/api/v1/namespaces/${NS}/pods/${podName}/portforward?ports=8080`);
    const code = await new Promise((r) => ws.on('close', (cd) => r(cd)));
    expect(code).toBe(1000);
    const err = frames.find((f) => f[0] === 1 && f.length > 3);
    expect(err?.subarray(1).toString()).toMatch(/^error forwarding port 8080 to pod [0-9a-f-]+, uid : .*connection refused/);

    // the robust client fails fast instead of hanging
    const fwd = await portForward(c.kc, NS, podName, 8080);
    try {
      await expect(httpRequest(fwd.port, '/')).rejects.toThrow(/socket hang up|ECONNRESET/);
      await until('the error text', () => fwd.errors.length > 0);
      expect(fwd.errors.join('')).toContain('connection refused');
    } finally {
      await fwd.close();
    }
  });

  it('refuses unknown pods, missing tokens, and clients that cannot speak v4', async () => {
    await expect(openRaw(`/api/v1/namespaces/${NS}/pods/nope/portforward?ports=9091`)).rejects.toThrow('HTTP 404');
    await expect(openRaw(`/api/v1/namespaces/${NS}/pods/${podName}/portforward?ports=9091`, 'wrong')).rejects.toThrow('HTTP 401');
    const v5only = new Promise((resolve, reject) => {
      const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}/api/v1/namespaces/${NS}/pods/${podName}/portforward?ports=9091`, ['v5.channel.k8s.io'], {
        headers: { authorization: `Bearer ${cluster.token}` },
      });
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode));
      ws.on('open', () => reject(new Error('opened')));
      ws.on('error', reject);
    });
    expect(await v5only).toBe(400);
  });

  it('closes the WebSocket when the pod goes away', async () => {
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment('short', NS, { app: 'short' }) });
    await until('short ready', async () => (await c.apps.readNamespacedDeployment({ name: 'short', namespace: NS })).status?.readyReplicas === 1);
    const pod = (await c.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=short' })).items[0].metadata!.name!;
    const { ws } = await openRaw(`/api/v1/namespaces/${NS}/pods/${pod}/portforward?ports=9091`);
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]));
    const closed = new Promise((r) => ws.on('close', r));
    await c.apps.deleteNamespacedDeployment({ name: 'short', namespace: NS });
    await closed;
  });

  it('terminates open WebSockets when the cluster closes', async () => {
    const other = await startFakeCluster();
    const o = clients(other);
    await o.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('x', 'default', { app: 'x' }) });
    await until('x ready', async () => (await o.apps.readNamespacedDeployment({ name: 'x', namespace: 'default' })).status?.readyReplicas === 1);
    const pod = (await o.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=x' })).items[0].metadata!.name!;
    const fwd = await portForward(o.kc, 'default', pod, 9091);
    const res = await httpRequest(fwd.port, '/');
    expect(res.status).toBe(200);
    const ws = new WebSocket(`${other.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/${pod}/portforward?ports=9091`, ['v4.channel.k8s.io'], {
      headers: { authorization: `Bearer ${other.token}` },
    });
    await new Promise((r) => ws.on('open', r));
    const closed = new Promise((r) => ws.on('close', r));
    await other.close();
    await closed;
    await fwd.close();
  });
});
