import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import type { SmpResult } from '../../packages/core/src/smp/result.js';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { cliIO } from '../support/cli-io.js';
import { ensureWorkerBundle } from '../support/worker-bundle.js';

/**
 * The mesh overhead end to end on the fake cluster: `meshspec smp run --compare-without-mesh` deploys
 * the sample app into a namespace the simulated Linkerd injects and one it leaves alone, runs the
 * profile's load as 2 pods in each, interleaved pairs of 2 s windows at 80 rps (160 calls a window; Job pods as local processes that reach the Service by its short
 * name through the simulated mesh), and the sidecar delay of the simulation is what it must measure:
 * meshed→meshed passes two proxy hops (the load pod's outbound, the app's inbound), plain→plain none.
 * Linkerd's profile admits every call (profiles.mjs: no access control), as the real one does by default.
 */

const NAMESPACES = ['meshspec-overhead-meshed', 'meshspec-overhead-plain'];
beforeAll(() => {
  ensureWorkerBundle();
});
let cluster: Awaited<ReturnType<typeof startFakeClusterWithMesh>> | undefined;
let dir: string | undefined;
afterEach(async () => {
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  cluster = undefined;
  dir = undefined;
});

const PROFILE = (internal: boolean) => `
test:
  name: overhead
  duration: 2s
  clients:
    - internal: ${internal}
      connections: 4
      rps: 80
      endpoint_urls: ['http://sample-app:9091/echo']
mesh:
  type: LINKERD
`;

async function compare(sidecarDelayMs: number, { internal = true, repeat = 2 } = {}) {
  cluster = await startFakeClusterWithMesh({ profile: 'linkerd', seed: 1, sidecarDelayMs });
  dir = await mkdtemp(join(tmpdir(), 'overhead-e2e-'));
  await writeFile(join(dir, 'p.yaml'), PROFILE(internal));
  await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
  // Every pod of the comparison as it was seen while it existed: its namespace and its containers.
  const c = cluster;
  const pods = new Map<string, { namespace: string; containers: string[] }>();
  // Every load Job: when it was first seen, and the common start time its pods were given.
  const jobs = new Map<string, { seenAt: number; startAt: number }>();
  const watch = setInterval(() => {
    for (const j of c.store.list({ group: 'batch', resource: 'jobs' }) ?? []) {
      const env = j.spec.template.spec.containers.find((x: { name: string }) => x.name === 'load')?.env ?? [];
      if (!jobs.has(j.metadata.uid)) jobs.set(j.metadata.uid, { seenAt: Date.now(), startAt: Number(env.find((e: { name: string }) => e.name === 'MESHSPEC_START_AT')?.value) });
    }
    for (const p of c.store.list({ group: '', resource: 'pods' }) ?? []) {
      if (NAMESPACES.includes(p.metadata.namespace) && p.status?.phase === 'Running') pods.set(p.metadata.uid, { namespace: p.metadata.namespace, containers: p.spec.containers.map((x: { name: string }) => x.name) });
    }
  }, 20);
  const t = cliIO({ cwd: dir });
  try {
    const code = await runCli(['smp', 'run', 'p.yaml', '--compare-without-mesh', '--pods', '2', '--repeat', String(repeat), '--load-start-lead', '2s', '--kubeconfig', 'kubeconfig', '--out', 'out'], t.io);
    return { code, t, pods: [...pods.values()], jobs: [...jobs.values()], out: join(dir, 'out') };
  } finally {
    clearInterval(watch);
  }
}

async function leftovers() {
  const c = cluster!;
  await c.idle();
  return {
    namespaces: (c.store.list({ group: '', resource: 'namespaces' }) ?? []).map((n: any) => n.metadata.name).filter((n: string) => NAMESPACES.includes(n)),
    jobs: c.store.list({ group: 'batch', resource: 'jobs' }) ?? [],
    pods: (c.store.list({ group: '', resource: 'pods' }) ?? []).filter((p: any) => NAMESPACES.includes(p.metadata.namespace)),
  };
}

describe('mesh overhead on the fake cluster', () => {
  it('measures the two sidecar hops of 5 ms each as 10 ms at the median (±10%), and leaves nothing behind', { timeout: 120_000 }, async () => {
    // Three pairs: each side's figures are the medians of its windows, and the median of three
    // stands when one window stalls on a busy machine (in CI, a plain window's 0.5 s stall made the
    // median of two put the plain tail 140 ms over the meshed one).
    const { code, t, pods, jobs, out } = await compare(5, { repeat: 3 });
    expect(code, t.all()).toBe(0);
    // One Job per window, each starting its pods --load-start-lead (2 s) after it was created, not
    // the default 10 s (the comparison once dropped the flag). Seen here 60-100 ms after creation.
    expect(jobs).toHaveLength(6);
    for (const j of jobs) {
      expect(j.startAt - j.seenAt, JSON.stringify(j)).toBeGreaterThan(500);
      expect(j.startAt - j.seenAt, JSON.stringify(j)).toBeLessThanOrEqual(2000);
    }
    const result = JSON.parse(await readFile(join(out, 'smp-result.json'), 'utf8')) as SmpResult;
    const o = result.stats.mesh_overhead!;
    console.log(`overhead: p50 ${o.deltas.p50_ms.change} ms, p90 ${o.deltas.p90_ms.change} ms, p99 ${o.deltas.p99_ms.change} ms; plain p50 ${o.without_mesh.p50_ms}, meshed p50 ${o.with_mesh.p50_ms}`);
    expect(t.all()).not.toMatch(/mesh overhead from .* pairs? of windows/);
    expect(o.deltas.p50_ms.change).toBeGreaterThanOrEqual(9);
    expect(o.deltas.p50_ms.change).toBeLessThanOrEqual(11);
    // Every meshed call pays both hops, so its tail cannot be under them. The p90 (the 16th-worst
    // call of 160 a window) shows the hops too; the p99 (the 2nd-worst) is the machine's jitter as
    // much as the hops, several ms on a busy 2-core runner, so only its bound is checked: a CI run
    // measured a p99 overhead of exactly 0 with p50 +9.4 and p90 +8.3 ms.
    expect(o.with_mesh.p99_ms!).toBeGreaterThanOrEqual(9);
    expect(o.deltas.p90_ms.change).toBeGreaterThan(5);
    expect(o.deltas.p90_ms.change).toBeLessThan(20);
    expect(o.deltas.p99_ms.change).toBeLessThan(50);
    expect(o.without_mesh.errors + o.with_mesh.errors).toBe(0);
    expect(o.namespaces).toEqual({ plain: 'meshspec-overhead-plain', meshed: 'meshspec-overhead-meshed' });
    expect(o.resources).toBeNull();
    expect(o.resources_unavailable).toMatch(/metrics-server is not installed/);
    // Each side's own file; the meshed run is the result.
    const plain = JSON.parse(await readFile(join(out, 'smp-result-without-mesh.json'), 'utf8')) as SmpResult;
    expect(plain.latencies_ms.p50).toBe(o.without_mesh.p50_ms);
    expect(result.latencies_ms.p50).toBe(o.with_mesh.p50_ms);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('| Metric | Without mesh | With mesh | Overhead |');
    // The plain side's pods got no sidecar, the meshed side's (the app and both load pods) did.
    const meshed = pods.filter((p) => p.namespace === 'meshspec-overhead-meshed');
    const plainPods = pods.filter((p) => p.namespace === 'meshspec-overhead-plain');
    expect(meshed.length).toBeGreaterThanOrEqual(3);
    expect(plainPods.length).toBeGreaterThanOrEqual(3);
    for (const p of meshed) expect(p.containers).toContain('linkerd-proxy');
    for (const p of plainPods) expect(p.containers).not.toContain('linkerd-proxy');
    expect(await leftovers()).toEqual({ namespaces: [], jobs: [], pods: [] });
  });

  it('measures next to nothing when the sidecars add nothing', { timeout: 120_000 }, async () => {
    const { code, t, out } = await compare(0);
    expect(code, t.all()).toBe(0);
    const o = (JSON.parse(await readFile(join(out, 'smp-result.json'), 'utf8')) as SmpResult).stats.mesh_overhead!;
    console.log(`overhead without delay: p50 ${o.deltas.p50_ms.change} ms`);
    // Two copies of the same service differ by their windows' jitter only: −0.68 to +0.68 ms over this
    // session's runs on a 3 ms median. One sidecar hop would be 5 ms.
    expect(Math.abs(o.deltas.p50_ms.change!)).toBeLessThan(2);
    // Two pairs (one window a side moved p50 by 0.7 ms on a busy machine): the run says that one
    // disturbed window can decide a figure, and what to set.
    expect(t.logger.text('notice')).toMatch(/mesh overhead from 2 pairs of windows: one disturbed window .* can decide a figure\. --repeat 3 or more makes each side's figures medians that one window cannot move, and --warmup 10s leaves the cold start out\./);
    expect(await leftovers()).toEqual({ namespaces: [], jobs: [], pods: [] });
  });

  it('refuses load from the runner (exit 2), naming the option and saying to set internal: true, before touching the cluster', async () => {
    const { code, t } = await compare(5, { internal: false });
    expect(code).toBe(2);
    expect(t.stderr()).toMatch(/--compare-without-mesh: .*p\.yaml: clients\[0\] loads from the runner.*port-forward.*Set internal: true on the clients/);
    expect(await leftovers()).toEqual({ namespaces: [], jobs: [], pods: [] });
  });
});
