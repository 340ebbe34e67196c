// The network of process pods: a Job pod's Node process reaches Services by name through its namespace's search
// list, through the simulated sidecar when meshed and plain Kubernetes routing when not, and 127.0.0.1 directly;
// the sidecar delay adds N ms per hop (test/support/fake-cluster/egress.mjs, mesh/sidecar.mjs).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { clients, deployment, type Cluster } from './clients.js';
import { jobCondition, jobPods, runJob } from './job-helpers.js';

const DELAY_MS = 5;
let cluster: Cluster;
let c: ReturnType<typeof clients>;
let direct: http.Server;
let directPort: number;

// Sequential requests over one keep-alive connection (with THINK_MS between them, so that every request finds the
// processes idle, as the meshed one's does after its sidecar waits); prints the status counts and each latency.
const CLIENT = `const http = require('node:http');
const { performance } = require('node:perf_hooks');
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(process.env.CONCURRENCY || 1) });
const get = (url) => new Promise((resolve) => {
  const req = http.get(url, { agent }, (res) => { const b = []; res.on('data', (d) => b.push(d)); res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(b).toString() })); });
  req.on('error', (e) => resolve({ status: 0, error: e.code || e.message }));
});
(async () => {
  const out = { direct: await get(process.env.DIRECT), first: await get(process.env.TARGET), latencies: [], statuses: {} };
  const n = Number(process.env.N), started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: Number(process.env.CONCURRENCY || 1) }, async () => {
    while (next++ < n) {
      if (process.env.THINK_MS) await new Promise((r) => setTimeout(r, Number(process.env.THINK_MS)));
      const t = performance.now();
      const r = await get(process.env.TARGET);
      out.latencies.push(performance.now() - t);
      out.statuses[r.status] = (out.statuses[r.status] || 0) + 1;
    }
  }));
  out.rps = n / ((performance.now() - started) / 1000);
  out.https = await new Promise((resolve) => require('node:https').get(process.env.TARGET.replace('http:', 'https:'), (res) => resolve('answered ' + res.statusCode)).on('error', (e) => resolve(e.code || e.message)));
  console.log(JSON.stringify(out));
  agent.destroy();
})();`;

beforeAll(async () => {
  direct = http.createServer((_req, res) => res.end('direct'));
  await new Promise<void>((r) => direct.listen(0, '127.0.0.1', () => r()));
  directPort = (direct.address() as AddressInfo).port;
  cluster = (await startFakeClusterWithMesh({ profile: 'linkerd', seed: 1, sidecarDelayMs: DELAY_MS })) as Cluster;
  c = clients(cluster);
  for (const [ns, annotations] of [['meshed', { 'linkerd.io/inject': 'enabled' }], ['plain', {}]] as const) {
    await c.core.createNamespace({ body: { metadata: { name: ns, annotations } } });
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('app-a', ns, { app: 'app-a' }, { image: 'meshspec/sample-app:1' }) });
    await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'app-a' }, spec: { selector: { app: 'app-a' }, ports: [{ port: 9091, targetPort: 9091 }] } } });
  }
  await cluster.idle();
});
afterAll(async () => {
  await cluster?.close();
  direct?.close();
});

async function load(ns: string, name: string, env: Record<string, string>) {
  await runJob(c, ns, name, CLIENT, { env: { DIRECT: `http://127.0.0.1:${directPort}/`, TARGET: 'http://app-a:9091/echo', ...env } });
  const job = await jobPodsDone(ns, name);
  const log = await c.core.readNamespacedPodLog({ name: job, namespace: ns, container: 'load' });
  if (!log.trim()) throw new Error(`empty log of ${ns}/${job}: ${JSON.stringify((await c.core.readNamespacedPod({ name: job, namespace: ns })).status?.containerStatuses)}`);
  return JSON.parse(log) as { direct: any; first: any; latencies: number[]; statuses: Record<string, number>; rps: number; https: string };
}

/** The pod's load container has ended (a meshed pod stays Running: its sidecar lives on). */
async function jobPodsDone(ns: string, name: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [p] = await jobPods(c, ns, name);
    const t = p?.status?.containerStatuses?.find((s) => s.name === 'load')?.state?.terminated;
    if (t) {
      expect(t.exitCode).toBe(0);
      return p.metadata!.name!;
    }
    if (Date.now() > deadline) throw new Error(`load pod of ${ns}/${name} did not finish`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

describe('a process pod on the cluster network', () => {
  it('reaches the sample app by its short name in its own namespace, plain and meshed, and 127.0.0.1 directly; https is a transport error', async () => {
    const plain = await load('plain', 'reach', { N: '20' });
    await jobCondition(c, 'plain', 'reach');
    expect(plain.direct).toEqual({ status: 200, body: 'direct' });
    expect(plain.first.status).toBe(200);
    expect(plain.statuses).toEqual({ 200: 20 });
    expect(plain.https).not.toMatch(/^answered/);
    const meshed = await load('meshed', 'reach', { N: '20' });
    expect(meshed.direct).toEqual({ status: 200, body: 'direct' });
    expect(meshed.first.status).toBe(200);
    expect(meshed.statuses).toEqual({ 200: 20 });
    expect(meshed.https).not.toMatch(/^answered/);
  });

  it('a name that does not resolve in the pod namespace is a transport error, not a reply', async () => {
    const r = await load('plain', 'nosuch', { N: '1', TARGET: 'http://app-b:9091/echo' });
    expect(r.first.status).toBe(0);
    expect(r.statuses).toEqual({ 0: 1 });
  });

  it(`with sidecarDelayMs=${DELAY_MS}, meshed→meshed is slower than plain→plain by 2×${DELAY_MS} ms (median of 300 requests, ±10%)`, async () => {
    // Both at once, so that both see the same machine (its load drifts between runs on a shared runner).
    const [plain, meshed] = await Promise.all([load('plain', 'latency', { N: '300', THINK_MS: '10' }), load('meshed', 'latency', { N: '300', THINK_MS: '10' })]);
    expect(plain.statuses).toEqual({ 200: 300 });
    expect(meshed.statuses).toEqual({ 200: 300 });
    const diff = median(meshed.latencies) - median(plain.latencies);
    console.log(`median plain ${median(plain.latencies).toFixed(2)} ms, meshed ${median(meshed.latencies).toFixed(2)} ms, difference ${diff.toFixed(2)} ms`);
    expect(diff).toBeGreaterThanOrEqual(2 * DELAY_MS * 0.9);
    expect(diff).toBeLessThanOrEqual(2 * DELAY_MS * 1.1);
  });

  it(`a meshed pod calling an unmeshed Service passes one sidecar: +${DELAY_MS} ms (±1 ms, the margin of the two-hop case)`, async () => {
    const [plain, oneHop] = await Promise.all([
      load('plain', 'onehop-base', { N: '300', THINK_MS: '10' }),
      load('meshed', 'onehop', { N: '300', THINK_MS: '10', TARGET: 'http://app-a.plain:9091/echo' }),
    ]);
    expect(oneHop.statuses).toEqual({ 200: 300 });
    const diff = median(oneHop.latencies) - median(plain.latencies);
    console.log(`median plain ${median(plain.latencies).toFixed(2)} ms, meshed→plain ${median(oneHop.latencies).toFixed(2)} ms, difference ${diff.toFixed(2)} ms`);
    expect(diff).toBeGreaterThanOrEqual(DELAY_MS - 2 * DELAY_MS * 0.1);
    expect(diff).toBeLessThanOrEqual(DELAY_MS + 2 * DELAY_MS * 0.1);
  });
});
