// The fake API server hosting the simulated mesh: startFakeClusterWithMesh and the standalone serve.mjs.
// (The mesh's own behaviour is tested in test/mesh-sim/; this checks the wiring between the two.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { clients, httpRequest, portForward, raw, until, type Cluster } from './clients.js';

const SERVE = fileURLToPath(new URL('../support/fake-cluster/serve.mjs', import.meta.url));

function sampleApp(name: string, namespace: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${name}-deployment`, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          serviceAccountName: `service-${name.slice(-1)}`,
          containers: [{ name, image: 'layer5/learn-layer5:latest', ports: [{ name: 'http', containerPort: 9091 }], env: [{ name: 'SERVICE_NAME', value: name }] }],
        },
      },
    },
  };
}

describe('startFakeClusterWithMesh', () => {
  let cluster: Cluster & { simulation?: any };
  beforeAll(async () => {
    cluster = await startFakeClusterWithMesh({ mesh: 'faithful' });
  });
  afterAll(() => cluster?.close());

  it('installs the simulation CRDs and serves its metrics API', async () => {
    const groups = (await raw(cluster, 'GET', '/apis')).body.groups.map((g: any) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['access.smi-spec.io', 'specs.smi-spec.io', 'split.smi-spec.io', 'metrics.smi-spec.io']));
    const as = await raw(cluster, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.metrics.smi-spec.io');
    expect(as.body.status.conditions[0].status).toBe('True');
  });

  it("runs the mesh's sample app in pods and reaches it through port-forward and Services", async () => {
    const c = clients(cluster);
    const ns = 'wiring'; // not labelled for injection: plain Kubernetes, nothing is denied
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    for (const app of ['app-a', 'app-b']) {
      await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: `service-${app.slice(-1)}` } } });
      await c.objects.create(sampleApp(app, ns));
      await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: app }, spec: { type: 'NodePort', selector: { app }, ports: [{ port: 9091, targetPort: 9091 as any }] } } });
    }
    await until('both ready', async () => {
      const ds = await c.apps.listNamespacedDeployment({ namespace: ns });
      return ds.items.length === 2 && ds.items.every((d) => d.status?.readyReplicas === 1);
    });
    const podA = (await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=app-a' })).items[0].metadata!.name!;
    const fwd = await portForward(c.kc, ns, podA, 9091);
    try {
      const call = await httpRequest(fwd.port, '/call', { method: 'POST', body: JSON.stringify({ url: `http://app-b.${ns}.svc.cluster.local:9091/echo`, method: 'GET', headers: {}, body: '' }) });
      expect(call.status).toBe(200);
      const metrics = JSON.parse((await httpRequest(fwd.port, '/metrics')).body);
      expect(metrics.RespSucceeded).toHaveLength(1);
      expect(metrics.RespFailed ?? []).toHaveLength(0);
    } finally {
      await fwd.close();
    }
    const logs = await c.core.readNamespacedPodLog({ name: podA, namespace: ns });
    expect(typeof logs).toBe('string');
  });

  it('refuses an unknown mesh mode', async () => {
    await expect(startFakeClusterWithMesh({ mesh: 'no-such-switch' })).rejects.toThrow(/unknown mesh mode "no-such-switch"/);
  });
});

describe('serve.mjs', () => {
  it('--list prints faithful and every switch, one a line', async () => {
    const { SWITCHES } = await import('../support/fake-cluster/mesh/index.mjs');
    const out = await run(['--list']);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('faithful');
    expect(new Set(lines)).toEqual(new Set(['faithful', ...SWITCHES]));
  });

  it('writes a kubeconfig, serves until SIGTERM, then exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-cluster-'));
    const path = join(dir, 'kubeconfig');
    await serving(['--mesh', 'ignore-methods', '--kubeconfig', path], dir, async () => {
      const kubeconfig = await readFile(path, 'utf8');
      expect(kubeconfig).toContain('insecure-skip-tls-verify: true');
      const c = clients({ kubeconfig });
      const nss = await c.core.listNamespace();
      expect(nss.items.map((n) => n.metadata?.name)).toContain('default');
    });
  });

  it('exits 2 without --kubeconfig or with an unknown mesh', async () => {
    expect((await run([])).code).toBe(2);
    const bad = await run(['--mesh', 'nope', '--kubeconfig', join(tmpdir(), 'never-written')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown mesh mode');
  });

  it('--list-profiles prints the six mesh profiles, one a line', async () => {
    const out = await run(['--list-profiles']);
    expect(out).toMatchObject({ code: 0, stdout: 'osm\nlinkerd\ntraefik_mesh\nistio\nconsul\nkuma\n' });
  });

  it('refuses an unknown profile or balancing, a bad seed, and a --control-plane that contradicts --mesh-profile', async () => {
    const kc = ['--kubeconfig', join(tmpdir(), 'never-written')];
    expect(await run(['--mesh-profile', 'nope', ...kc])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown mesh profile "nope"; use one of: osm, linkerd') });
    expect(await run(['--balancing', 'fair', ...kc])).toMatchObject({ code: 2, stderr: expect.stringContaining('--balancing: use random or round-robin') });
    expect(await run(['--seed', 'x', ...kc])).toMatchObject({ code: 2, stderr: expect.stringContaining('--seed: a whole number') });
    expect(await run(['--mesh-profile', 'osm', '--control-plane', 'kuma', ...kc])).toMatchObject({ code: 2, stderr: expect.stringContaining('alias of --mesh-profile') });
    expect(await run(['--sidecar-delay-ms=-1', ...kc])).toMatchObject({ code: 2, stderr: expect.stringContaining('--sidecar-delay-ms: a number of milliseconds >= 0') });
  });

  it('--sidecar-delay-ms sets the simulated per-hop sidecar latency, and the ready line reports it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-cluster-'));
    await serving(['--mesh-profile', 'linkerd', '--sidecar-delay-ms', '3', '--seed', '1', '--kubeconfig', join(dir, 'kc')], dir, async (stdout) => {
      expect(stdout).toMatch(/ seed=1 sidecar-delay-ms=3\n$/);
    });
  });

  it('--control-plane is an alias of --mesh-profile, combinable with a switch; random balancing with the seed reported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-cluster-'));
    await serving(['--control-plane', 'linkerd', '--mesh', 'missing-crd', '--seed', '7', '--kubeconfig', join(dir, 'kc')], dir, async (stdout) => {
      expect(stdout).toMatch(/ mesh=missing-crd profile=linkerd balancing=random seed=7\n$/);
      const c = clients({ kubeconfig: await readFile(join(dir, 'kc'), 'utf8') });
      // linkerd-smi's only CRD is TrafficSplit, and missing-crd removes it: no SMI group is left.
      const groups = (await c.ext.listCustomResourceDefinition()).items.map((d) => d.metadata?.name);
      expect(groups.filter((n) => n?.includes('smi-spec.io'))).toEqual([]);
    });
  });
});

describe('mesh profiles', () => {
  it("each installs exactly its mesh's own CRDs, with discovery preferring the newest served version", async () => {
    const want: Record<string, Record<string, string>> = {
      osm: { 'access.smi-spec.io': 'v1alpha3', 'specs.smi-spec.io': 'v1alpha4', 'split.smi-spec.io': 'v1alpha2' },
      linkerd: { 'split.smi-spec.io': 'v1alpha2' },
      traefik_mesh: { 'access.smi-spec.io': 'v1alpha2', 'specs.smi-spec.io': 'v1alpha3', 'split.smi-spec.io': 'v1alpha3' },
      istio: {},
      consul: {},
      kuma: {},
    };
    for (const [profile, groups] of Object.entries(want)) {
      const c = (await startFakeClusterWithMesh({ profile, seed: 1 })) as Cluster;
      try {
        const all = (await raw(c, 'GET', '/apis')).body.groups as { name: string; preferredVersion: { version: string } }[];
        const smi = Object.fromEntries(all.filter((g) => g.name.endsWith('smi-spec.io')).map((g) => [g.name, g.preferredVersion.version]));
        expect(smi, profile).toEqual(groups);
      } finally {
        await c.close();
      }
    }
  });

  it("Traefik Mesh's controller never becomes Ready when its SMI versions are not the preferred ones (prepare fails)", async () => {
    const c = (await startFakeClusterWithMesh({ profile: 'traefik_mesh', mesh: 'missing-crd', seed: 1 })) as Cluster;
    const ok = (await startFakeClusterWithMesh({ profile: 'traefik_mesh', seed: 1 })) as Cluster;
    try {
      const podOf = async (cluster: Cluster) => {
        let pod: any;
        await until('the controller pod to start or fail', async () => {
          pod = (await clients(cluster).core.listNamespacedPod({ namespace: 'traefik-mesh' })).items[0];
          return !!pod?.status?.containerStatuses?.[0] && pod.status.containerStatuses[0].state?.waiting?.reason !== 'ContainerCreating';
        }, 20_000);
        return pod;
      };
      const broken = await podOf(c);
      expect(broken.status.containerStatuses[0].state.waiting).toMatchObject({ reason: 'CrashLoopBackOff', message: 'prepare: unable to find group "split.smi-spec.io" version "v1alpha3"' });
      expect((await podOf(ok)).status.containerStatuses[0].ready).toBe(true);
    } finally {
      await c.close();
      await ok.close();
    }
  });
});

/** Runs serve.mjs until its ready line, then `body`, then SIGTERM: it must exit 0. Removes `dir`. */
async function serving(args: string[], dir: string, body: (stdout: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [SERVE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // The whole line: a pipe may deliver it in two chunks, and the tests match its end.
    await until('the ready line', () => /(^|\n)ready [^\n]*\n/.test(stdout), 20_000);
    await body(stdout);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
