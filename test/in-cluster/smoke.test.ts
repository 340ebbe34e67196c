import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { podLoadGenerator } from '../../packages/core/src/smp/in-cluster/runner.js';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import { ensureWorkerBundle } from '../support/worker-bundle.js';
import type { Cluster } from '../fake-cluster/clients.js';
import { httpTarget, type Target } from '../loadgen/servers.js';
import { kubeFor, leftovers, planFor } from './helpers.js';

let cluster: Cluster;
let target: Target;
let hits = 0;
beforeAll(async () => {
  ensureWorkerBundle();
  cluster = (await startFakeCluster()) as Cluster;
  target = await httpTarget((_q, r) => {
    hits++;
    r.end('ok');
  });
});
afterAll(async () => {
  await target?.close();
  await cluster?.close();
});

describe('smoke', () => {
  it('runs 2 pods', async () => {
    const kube = kubeFor(cluster);
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'load' } });
    const logger = new MemoryLogger();
    const gen = podLoadGenerator({ kube, namespace: 'load', pods: 2, image: 'node:24-alpine', logger, startLeadMs: 1500 });
    const run = await gen.run(planFor(target.url, { rps: 200, connections: 4, durationMs: 2000 }));
    console.log(logger.text(), JSON.stringify(gen.lastSource()), run.requests, run.intended, hits, run.timeline.map((t) => t.requests));
    expect(run.requests).toBeGreaterThan(300);
    console.log(await leftovers(kube, 'load'));
  });
});
