// ensureCluster / teardownCluster / collectDiagnostics with the minikube stub (served through the
// release server, so downloads are verified on the way) acting on the fake API server.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { MeshspecError } from '../../packages/core/src/errors.js';
import { ensureCluster, type EnsureClusterOptions } from '../../packages/core/src/cluster/ensure.js';
import { teardownCluster, type ClusterState } from '../../packages/core/src/cluster/teardown.js';
import { collectDiagnostics } from '../../packages/core/src/cluster/diagnostics.js';
import { minikubeEnv } from '../../packages/core/src/cluster/minikube.js';
import { createEchoPodRuntime } from '../support/fake-cluster/index.mjs';
import { PLATFORM, startBed, type Bed } from './fixture.js';

let bed: Bed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

function options(b: Bed, extra: Partial<EnsureClusterOptions> = {}): EnsureClusterOptions {
  return {
    cluster: 'minikube',
    logger: b.logger,
    kubeconfig: b.kubeconfig,
    download: { mirror: b.mirror, toolCache: b.toolCache },
    env: b.env,
    platform: PLATFORM,
    readinessIntervalMs: 25,
    readinessTimeoutMs: 20_000,
    ...extra,
  };
}

const START = ['minikube', 'start', '--profile=meshspec', '--driver=docker', '--kubernetes-version=v1.35.1', '--wait=all', '--wait-timeout=6m'];
const STATUS = ['minikube', 'status', '--profile=meshspec', '--output=json'];
const DELETE = ['minikube', 'delete', '--profile=meshspec'];

async function rejection(p: Promise<unknown>): Promise<MeshspecError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MeshspecError);
  return e as MeshspecError;
}

describe('cluster: minikube', () => {
  it('starts the pinned minikube with the exact command line, waits until ready, and reports what to tear down', async () => {
    bed = await startBed();
    const states: ClusterState[] = [];
    const cluster = await ensureCluster(options(bed, { githubToken: 'ghs_test', serverUrl: 'https://github.com', onState: (s) => states.push(s) }));
    expect(bed.argvs()).toEqual([STATUS, START]);
    expect(bed.commands()[1]).toMatchObject({ githubToken: 'ghs_test', kubeconfig: bed.kubeconfig });
    expect(cluster).toMatchObject({ mode: 'minikube', created: true, context: 'meshspec', kubeconfigPath: bed.kubeconfig, serverVersion: 'v1.30.0' });
    expect(cluster.state).toEqual({
      mode: 'minikube',
      created: true,
      profile: 'meshspec',
      minikubePath: `${bed.toolCache.root}/minikube/1.38.1/amd64/minikube`,
      minikubeHome: undefined,
      kubeconfigPath: bed.kubeconfig,
    });
    // The state reached the caller before `minikube start`, so a failed start is still cleaned up.
    expect(states).toEqual([cluster.state]);
    // Ready means ready: the pod minikube's stub created in kube-system is Ready now.
    const pods = await cluster.kubeConfig!.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'kube-system' });
    expect(pods.items.map((p) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status)).toEqual(['True']);
  });

  it('passes every option as a flag, and GITHUB_TOKEN never to a GHES host', async () => {
    bed = await startBed();
    await ensureCluster(
      options(bed, {
        githubToken: 'ghs_test',
        serverUrl: 'https://ghes.example.com',
        minikube: { kubernetesVersion: '1.28.15', driver: 'podman', containerRuntime: 'cri-o', cpus: '4', memory: '8g', extraStartArgs: ['--addons=metrics-server'], waitTimeoutMs: 120_000, profile: 'ci' },
      }),
    );
    expect(bed.argvs()[1]).toEqual([
      'minikube',
      'start',
      '--profile=ci',
      '--driver=podman',
      '--container-runtime=cri-o',
      '--kubernetes-version=v1.28.15',
      '--cpus=4',
      '--memory=8g',
      '--wait=all',
      '--wait-timeout=2m',
      '--addons=metrics-server',
    ]);
    expect(bed.commands()[1]!.githubToken).toBeNull();
  });

  it('deletes and retries once after a failed start', async () => {
    bed = await startBed();
    bed.env.MESHSPEC_STUB_FAIL_FIRST = '1';
    const cluster = await ensureCluster(options(bed));
    expect(bed.argvs()).toEqual([STATUS, START, DELETE, START]);
    expect(bed.logger.text('warn')).toContain('minikube start failed (exit 80); deleting profile meshspec and trying once more');
    expect(cluster.created).toBe(true);
  });

  it('stops after the second failure with the tail of minikube output', async () => {
    bed = await startBed();
    bed.env.MESHSPEC_STUB_FAIL_ALWAYS = '1';
    const states: ClusterState[] = [];
    const error = await rejection(ensureCluster(options(bed, { onState: (s) => states.push(s) })));
    expect(error.kind).toBe('infra');
    expect(error.message).toBe("minikube start failed twice (exit 80) for Kubernetes v1.35.1 with the docker driver; the last lines of minikube's output follow");
    expect(error.details).toContain('X Exiting due to GUEST_PROVISION: error provisioning guest: stub failure');
    expect(bed.argvs()).toEqual([STATUS, START, DELETE, START]);
    expect(states[0]).toMatchObject({ created: true, profile: 'meshspec' }); // the post step can still delete the leftovers
  });

  it('uses a profile that already runs as it is, and never deletes it', async () => {
    bed = await startBed();
    await ensureCluster(options(bed));
    bed.clearLog();
    const again = await ensureCluster(options(bed));
    expect(bed.argvs()).toEqual([STATUS, ['minikube', 'update-context', '--profile=meshspec']]);
    expect(again.created).toBe(false);
    bed.clearLog();
    expect(await teardownCluster(again.state, { logger: bed.logger, env: bed.env })).toMatchObject({ deleted: false });
    expect(bed.argvs()).toEqual([]);
  });

  it('does not download minikube again on the second run', async () => {
    bed = await startBed();
    await ensureCluster(options(bed));
    await teardownCluster((await ensureCluster(options(bed))).state, { logger: bed.logger, env: bed.env });
    expect(bed.server.count('/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64')).toBe(1);
  });

  it('fails fast off Linux, with the reason', async () => {
    bed = await startBed();
    const error = await rejection(ensureCluster(options(bed, { platform: { os: 'darwin', arch: 'arm64' } })));
    expect(error.message).toMatch(/^starting a cluster needs a Linux runner \(amd64 or arm64\), and this one is darwin\/arm64/);
    expect(bed.server.requests).toEqual([]);
  });
});

describe('readiness', () => {
  it('a timeout names the pod that never became Ready', async () => {
    const echo = createEchoPodRuntime();
    // A kube-system pod whose container never starts, as an image that cannot be pulled.
    const podRuntime = {
      ...echo,
      start: (pod: any) => (pod.metadata?.labels?.app === 'stuck-dns' ? Promise.reject(new Error('image pull backoff')) : echo.start(pod)),
    };
    bed = await startBed({ podRuntime });
    const objects = k8s.KubernetesObjectApi.makeApiClient(bed.kube());
    await objects.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'stuck-dns', namespace: 'kube-system' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'stuck-dns' } }, template: { metadata: { labels: { app: 'stuck-dns' } }, spec: { containers: [{ name: 'dns', image: 'nope' }] } } },
    } as k8s.KubernetesObject);
    const error = await rejection(ensureCluster(options(bed, { cluster: 'existing', kubeconfig: bed.fakeKubeconfig, readinessTimeoutMs: 1500 })));
    expect(error.kind).toBe('infra');
    expect(error.message).toMatch(/^the cluster was not ready within 1\.5s: pod kube-system\/stuck-dns-[a-z0-9-]+ is not Ready \(Running, CrashLoopBackOff\)$/);
  });

  it('waits for the default service account', async () => {
    bed = await startBed();
    bed.cluster.store.delete({ group: '', resource: 'serviceaccounts', namespace: 'default', name: 'default' });
    const error = await rejection(ensureCluster(options(bed, { cluster: 'existing', kubeconfig: bed.fakeKubeconfig, readinessTimeoutMs: 500 })));
    expect(error.message).toMatch(/^the cluster was not ready within 500ms: service account default\/default does not exist yet \(HTTP 404\)$/);
  });

  it('waits for the nodes', async () => {
    bed = await startBed();
    bed.cluster.store.mutate({ group: '', resource: 'nodes', name: 'fake-node' }, (n: any) => {
      n.status.conditions[0].status = 'False';
      n.status.conditions[0].reason = 'KubeletNotReady';
    });
    const error = await rejection(ensureCluster(options(bed, { cluster: 'existing', kubeconfig: bed.fakeKubeconfig, readinessTimeoutMs: 300 })));
    expect(error.message).toContain('node fake-node is not Ready (KubeletNotReady)');
  });
});

describe('cluster: existing, auto and none', () => {
  it('existing: uses the current context, starts nothing, deletes nothing', async () => {
    bed = await startBed();
    const cluster = await ensureCluster(options(bed, { cluster: 'existing', kubeconfig: bed.fakeKubeconfig }));
    expect(cluster).toMatchObject({ mode: 'existing', created: false, context: 'fake-cluster', serverVersion: 'v1.30.0' });
    expect(bed.argvs()).toEqual([]);
    expect(bed.server.requests).toEqual([]);
    expect(await teardownCluster(cluster.state, { logger: bed.logger })).toEqual({ deleted: false, reason: 'the cluster was there before meshspec ran' });
  });

  it('existing: a context that does not answer is an infra error naming it', async () => {
    bed = await startBed();
    const dead = join(bed.dir, 'dead-kubeconfig');
    writeFileSync(dead, readFileSync(bed.fakeKubeconfig, 'utf8').replace(bed.cluster.url, 'http://127.0.0.1:9'));
    const error = await rejection(ensureCluster(options(bed, { cluster: 'existing', kubeconfig: dead, reachabilityTimeoutMs: 2000 })));
    expect(error.kind).toBe('infra');
    expect(error.message).toMatch(/^cluster: existing, but the API server http:\/\/127\.0\.0\.1:9 \(context "fake-cluster" in .*dead-kubeconfig\) does not answer: http:\/\/127\.0\.0\.1:9: connect ECONNREFUSED/);
  });

  const deployed = { because: 'input mesh_deployed is true', fix: 'Set kubeconfig to the cluster the mesh runs on.' };

  it('auto with a deployed mesh and no kubeconfig: an input error naming the paths looked at, and never a minikube', async () => {
    bed = await startBed();
    const env = { ...bed.env, KUBECONFIG: `${join(bed.dir, 'nope-a')}:${join(bed.dir, 'nope-b')}` };
    const error = await rejection(ensureCluster(options(bed, { cluster: 'auto', kubeconfig: undefined, env, existingRequired: deployed })));
    expect(error.kind).toBe('input');
    expect(error.message).toBe(`input mesh_deployed is true, but no kubeconfig was found: looked at ${join(bed.dir, 'nope-a')} (KUBECONFIG), ${join(bed.dir, 'nope-b')} (KUBECONFIG). Set kubeconfig to the cluster the mesh runs on.`);
    expect(bed.argvs()).toEqual([]);
    expect(bed.server.requests).toEqual([]); // not even a download of minikube
    const home = await rejection(ensureCluster(options(bed, { cluster: 'auto', kubeconfig: undefined, env: { ...bed.env, HOME: bed.dir, KUBECONFIG: '' }, existingRequired: deployed })));
    expect(home.message).toContain(`looked at ${join(bed.dir, '.kube', 'config')}.`);
  });

  it('auto with a deployed mesh and a server that does not answer: an infra error naming the server', async () => {
    bed = await startBed();
    const dead = join(bed.dir, 'dead-kubeconfig');
    writeFileSync(dead, readFileSync(bed.fakeKubeconfig, 'utf8').replace(bed.cluster.url, 'http://127.0.0.1:9'));
    const error = await rejection(ensureCluster(options(bed, { cluster: 'auto', kubeconfig: dead, reachabilityTimeoutMs: 2000, existingRequired: deployed })));
    expect(error.kind).toBe('infra');
    expect(error.message).toMatch(/^input mesh_deployed is true, but the API server http:\/\/127\.0\.0\.1:9 \(context "fake-cluster" in .*dead-kubeconfig\) does not answer: .*ECONNREFUSED.*\. Set kubeconfig to the cluster the mesh runs on\.$/);
    expect(error.message).not.toMatch(/cluster: existing/);
    expect(bed.argvs()).toEqual([]);
  });

  it('existing: no kubeconfig is an input error', async () => {
    bed = await startBed();
    const error = await rejection(ensureCluster(options(bed, { cluster: 'existing', kubeconfig: join(bed.dir, 'missing') })));
    expect(error.kind).toBe('input');
  });

  it('auto: the current context when it answers', async () => {
    bed = await startBed();
    const cluster = await ensureCluster(options(bed, { cluster: 'auto', kubeconfig: bed.fakeKubeconfig }));
    expect(cluster.mode).toBe('existing');
    expect(bed.argvs()).toEqual([]);
  });

  it('auto: minikube when the current context does not answer', async () => {
    bed = await startBed();
    const dead = readFileSync(bed.fakeKubeconfig, 'utf8').replace(bed.cluster.url, 'http://127.0.0.1:9');
    mkdirSync(join(bed.dir, '.kube'), { recursive: true });
    writeFileSync(bed.kubeconfig, dead);
    const cluster = await ensureCluster(options(bed, { cluster: 'auto' }));
    expect(cluster).toMatchObject({ mode: 'minikube', created: true, context: 'meshspec' });
    expect(bed.logger.text('info')).toMatch(/cluster: auto: context "fake-cluster" does not answer \(.*ECONNREFUSED.*\); starting minikube/);
  });

  it('auto: minikube when there is no kubeconfig', async () => {
    bed = await startBed();
    const cluster = await ensureCluster(options(bed, { cluster: 'auto' }));
    expect(cluster.mode).toBe('minikube');
  });

  it('none: nothing at all', async () => {
    bed = await startBed();
    const cluster = await ensureCluster(options(bed, { cluster: 'none' }));
    expect(cluster).toEqual({ mode: 'none', created: false, state: { mode: 'none', created: false } });
    expect(bed.server.requests).toEqual([]);
  });
});

describe('post-step teardown', () => {
  it('deletes only the cluster meshspec created, unless keep_cluster', async () => {
    bed = await startBed();
    const cluster = await ensureCluster(options(bed));
    // What the action saves in main and loads in post is plain JSON.
    const state = JSON.parse(JSON.stringify(cluster.state)) as ClusterState;
    bed.clearLog();
    expect(await teardownCluster(state, { keepCluster: true, logger: bed.logger, env: bed.env })).toMatchObject({ deleted: false });
    expect(bed.logger.text('notice')).toContain('keep_cluster is true: minikube profile meshspec is left running');
    expect(bed.argvs()).toEqual([]);
    expect(await teardownCluster(state, { logger: bed.logger, env: bed.env })).toEqual({ deleted: true });
    expect(bed.argvs()).toEqual([DELETE]);
    expect(existsSync(join(bed.env.MESHSPEC_STUB_STATE!, 'minikube-meshspec.running'))).toBe(false);
  });

  it('does nothing without state (main never got to create anything)', async () => {
    bed = await startBed();
    expect(await teardownCluster(undefined, { logger: bed.logger })).toEqual({ deleted: false, reason: 'meshspec created no cluster' });
  });
});

describe('diagnostics', () => {
  it('writes events, pod status, the logs of our namespaces and minikube logs into the output dir', async () => {
    bed = await startBed();
    const cluster = await ensureCluster(options(bed));
    await bed.deployControlPlane('osm');
    const out = join(bed.dir, 'results');
    const files = await collectDiagnostics({
      outDir: out,
      kubeConfig: cluster.kubeConfig,
      namespaces: ['osm-system'],
      minikube: { path: cluster.state.minikubePath!, profile: 'meshspec', env: minikubeEnv({ base: bed.env, kubeconfigPath: bed.kubeconfig }) },
      logger: bed.logger,
    });
    const dir = join(out, 'diagnostics');
    const names = files.map((f) => f.slice(dir.length + 1)).sort();
    expect(names).toEqual(
      expect.arrayContaining(['events.txt', 'minikube-logs.txt', 'pods-kube-system.txt', 'pods-osm-system.txt']),
    );
    expect(readdirSync(join(dir, 'logs', 'osm-system')).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^osm-controller-.*\.osm-controller\.log$/), expect.stringMatching(/^osm-injector-.*\.osm-injector\.log$/)]),
    );
    expect(readFileSync(join(dir, 'minikube-logs.txt'), 'utf8')).toContain('==> Last Start <==');
    expect(readFileSync(join(dir, 'pods-osm-system.txt'), 'utf8')).toMatch(/osm-controller-\S+\tRunning\tready/);
    expect(existsSync(join(dir, 'errors.txt'))).toBe(false);
    expect(bed.argvs().at(-1)).toEqual(['minikube', 'logs', '--profile=meshspec']);
  });

  it('never throws: what cannot be read is noted in errors.txt', async () => {
    bed = await startBed();
    const kc = new k8s.KubeConfig();
    kc.loadFromString(readFileSync(bed.fakeKubeconfig, 'utf8').replace(bed.cluster.url, 'http://127.0.0.1:9'));
    const out = join(bed.dir, 'results');
    await collectDiagnostics({ outDir: out, kubeConfig: kc, namespaces: ['x'], logger: bed.logger });
    expect(readFileSync(join(out, 'diagnostics', 'errors.txt'), 'utf8')).toMatch(/^events: .*ECONNREFUSED/m);
  });
});
