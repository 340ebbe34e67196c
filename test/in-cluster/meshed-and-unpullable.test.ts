/**
 * In-cluster load with the simulated mesh: a meshed load pod keeps its sidecar running after the
 * load container exits (the pod stays Running), and an image the node cannot pull leaves a pod
 * Pending in ErrImagePull/ImagePullBackOff (test/support/fake-cluster/process-pods.mjs).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { podLoadGenerator, PodLoadError } from '../../packages/core/src/smp/in-cluster/runner.js';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { ensureWorkerBundle } from '../support/worker-bundle.js';
import type { Cluster } from '../fake-cluster/clients.js';
import { httpTarget, type Target } from '../loadgen/servers.js';
import { kubeFor, planFor } from './helpers.js';

const UNPULLABLE = 'node:24-alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000';
const IMAGE = 'node:24-alpine@sha256:d32cdf619f63fe0471182d08996dd516c6275bb5fd31ae06e55a570bd9e1ad43';
const MESHED = 'meshed-load';
let cluster: Cluster;
let target: Target;

beforeAll(async () => {
  ensureWorkerBundle();
  cluster = (await startFakeClusterWithMesh({ profile: 'osm', seed: 1, meshOptions: { unpullableImages: [UNPULLABLE] } })) as Cluster;
  const kube = kubeFor(cluster);
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: MESHED, labels: { 'openservicemesh.io/monitored-by': 'osm' }, annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' } } });
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } });
  target = await httpTarget((_q, r) => r.end('ok'));
});
afterAll(async () => {
  await target?.close();
  await cluster?.close();
});

describe('load pods and the mesh', () => {
  it('judges a meshed pod done by its load container, though the sidecar keeps the pod Running', async () => {
    const kube = kubeFor(cluster);
    const gen = podLoadGenerator({ kube, namespace: MESHED, pods: 2, image: IMAGE, logger: new MemoryLogger(), startLeadMs: 2000 });
    const seen: string[] = [];
    const list = kube.listPods.bind(kube);
    vi.spyOn(kube, 'listPods').mockImplementation(async (...args) => {
      const pods = await list(...args);
      for (const p of pods) if (p.status?.containerStatuses?.find((c) => c.name === 'load')?.state?.terminated) seen.push(`${p.status.phase}:${p.spec?.containers.map((c) => c.name).join(',')}`);
      return pods;
    });
    const started = Date.now();
    const run = await gen.run(planFor(`${target.url}/`, { rps: 100, connections: 2, durationMs: 2000 }));
    // Long before the Job's activeDeadlineSeconds (which a pod that never completes would hit).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(gen.lastSource()!.pods.map((p) => p.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(run.intended).toBe(200);
    // The pods were judged while Running with the sidecar beside the finished load container.
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['Running:load,envoy']));
  });

  it('says a pod never started (ImagePullBackOff), naming the pod and its last events', async () => {
    const kube = kubeFor(cluster);
    const gen = podLoadGenerator({ kube, namespace: 'plain', pods: 2, image: UNPULLABLE, logger: new MemoryLogger(), startLeadMs: 1000 });
    const error = await gen.run(planFor(`${target.url}/`, { rps: 100, connections: 2, durationMs: 2000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PodLoadError);
    const e = error as PodLoadError;
    expect(e.kind).toBe('infra');
    expect(gen.lastSource()!.pods.map((p) => p.outcome)).toEqual(['never-started', 'never-started']);
    const pod = gen.lastSource()!.pods[0]!.name;
    expect(e.details.join('\n')).toMatch(new RegExp(`${pod}: (ErrImagePull|ImagePullBackOff).*last events: .*(Failed|BackOff)`));
    expect(e.partial).toBeUndefined();
  });
});
