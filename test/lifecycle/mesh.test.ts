// ensureMesh / teardownMesh with the mesh CLI stubs (served through the release server) acting on
// the fake API server, and mesh_deployed against the fake's simulated control planes.
import { ACTION_WORDING } from '../../packages/core/src/wording.js';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MeshspecError } from '../../packages/core/src/errors.js';
import { ensureMesh, teardownMesh, type EnsureMeshOptions, type MeshState } from '../../packages/core/src/mesh/ensure.js';
import { teardownFromState } from '../../packages/core/src/github/lifecycle.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUMA_CHART_PINNED_SHA256 } from '../../packages/core/src/mesh/kuma.js';
import { MESHES, requireMesh } from '../../packages/core/src/mesh/registry.js';
import { controlPlaneManifests } from '../support/fake-cluster/mesh/control-plane.mjs';
import { PLATFORM, startBed, type Bed } from './fixture.js';

let bed: Bed;
beforeAll(async () => {
  bed = await startBed();
});
afterAll(async () => {
  await bed.close();
});

/** Every test gets a clean cluster: remove the namespaces a previous install left. */
afterEach(async () => {
  const core = bed.kube().makeApiClient(k8s.CoreV1Api);
  for (const ns of ['osm-system', 'linkerd', 'linkerd-smi', 'istio-system', 'traefik-mesh', 'consul', 'kuma-system']) {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
  await bed.cluster.idle();
  // A deleted namespace is Terminating for one controller tick.
  for (let i = 0; i < 50 && (await core.listNamespace()).items.some((n) => n.metadata?.name?.match(/osm|linkerd|istio|traefik|consul|kuma/)); i++) await bed.cluster.idle();
  bed.clearLog();
  bed.logger.lines.length = 0;
});

function options(extra: Partial<EnsureMeshOptions> & { mesh: EnsureMeshOptions['mesh'] }): EnsureMeshOptions {
  return {
    deployed: false,
    kubeconfig: bed.fakeKubeconfig,
    logger: bed.logger,
    download: { mirror: bed.mirror, toolCache: bed.toolCache },
    env: bed.env,
    platform: PLATFORM,
    pollIntervalMs: 25,
    timeoutMs: 20_000,
    ...extra,
  };
}

async function rejection(p: Promise<unknown>): Promise<MeshspecError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MeshspecError);
  return e as MeshspecError;
}

const chartPath = (chart: string, version: string) => `${bed.toolCache.root}/${chart}-chart/${version}/amd64/${chart}-${version}.tgz`;

describe('install, with the exact commands per mesh', () => {
  // prettier-ignore
  const cases: [string, string, () => string[][]][] = [
    ['osm', 'v1.2.4', () => [
      ['osm', 'install', '--mesh-name=osm', '--osm-namespace=osm-system', '--set=osm.enablePermissiveTrafficPolicy=false'],
    ]],
    ['linkerd', 'edge-26.8.3', () => [
      ['linkerd', 'install', '--crds', '--set', 'installGatewayAPI=true'], ['kubectl', 'apply', '-f', '-'],
      ['linkerd', 'install'], ['kubectl', 'apply', '-f', '-'],
      ['linkerd-smi', 'install'], ['kubectl', 'apply', '-f', '-'],
    ]],
    ['istio', '1.30.3', () => [
      ['istioctl', 'install', '--skip-confirmation', '--set', 'profile=minimal'],
    ]],
    ['traefik_mesh', 'v1.4.8', () => [
      ['helm', 'install', 'traefik-mesh', chartPath('traefik-mesh', '4.1.1'), '--namespace=traefik-mesh', '--create-namespace', '--set=acl=true', '--set=tracing.deploy=false', '--set=metrics.deploy=false'],
    ]],
    ['consul', '2.0.3', () => [
      ['helm', 'install', 'consul', chartPath('consul', '2.0.3'), '--namespace=consul', '--create-namespace', '--set=global.name=consul',
        '--set=connectInject.enabled=true', '--set=server.replicas=1', '--set=ui.enabled=false'],
    ]],
    ['kuma', '2.11.0', () => [
      ['helm', 'install', 'kuma', chartPath('kuma', '2.11.0'), '--namespace=kuma-system', '--create-namespace'],
    ]],
  ];

  it.each(cases)('%s %s', async (id, version, commands) => {
    const states: MeshState[] = [];
    const mesh = await ensureMesh(options({ mesh: id, download: { mirror: bed.mirror, toolCache: bed.toolCache }, onState: (s) => states.push(s) }));
    expect(mesh).toMatchObject({ version, installed: true, namespace: requireMesh(id, 't').installer!.controlPlane.namespace });
    expect(bed.argvs()).toEqual(commands());
    expect(bed.commands().every((c) => c.kubeconfig === bed.fakeKubeconfig)).toBe(true);
    expect(states).toEqual([{ meshId: id, version, installed: true, kubeconfigPath: bed.fakeKubeconfig }]);
    // The control plane is there and Ready, and its version reads back.
    const again = await ensureMesh(options({ mesh: id, deployed: true }));
    expect(again).toMatchObject({ installed: false, version });
  });

  it('skips an SMI extra the cluster cannot serve, with a warning, and goes on', async () => {
    const mesh = await ensureMesh(options({ mesh: 'istio' }));
    expect(mesh.skippedExtras).toEqual([
      'smi-adapter-istio: its manifests use apiextensions.k8s.io/v1beta1, which this cluster (Kubernetes v1.30.0) does not serve (apiextensions.k8s.io/v1beta1 was removed in 1.22)',
    ]);
    expect(bed.logger.text('warn')).toContain('Istio: SMI extra "smi-adapter-istio" skipped');
    // Nothing was downloaded for it.
    expect(bed.server.requests.some((p) => p.includes('smi-adapter-istio'))).toBe(false);
  });

  it('Consul: the SMI controller is reported as not installable', async () => {
    const mesh = await ensureMesh(options({ mesh: 'consul' }));
    expect(mesh.skippedExtras[0]).toMatch(/^consul-smi-controller: .*v1beta1/);
  });

  it('Kuma: a chart index that records another digest than the one meshspec pins is refused, before helm runs', async () => {
    const pins = KUMA_CHART_PINNED_SHA256 as Record<string, string>;
    const standIn = pins['2.11.0']!;
    pins['2.11.0'] = 'ed9e1452df5c4be1f53fc57b90d774ee4acf71119d08ae58be8cf3cff3f46ecb'; // the published one
    try {
      const error = await rejection(ensureMesh(options({ mesh: 'kuma' })));
      expect(error.kind).toBe('infra');
      expect(error.message).toBe(
        `chart kuma 2.11.0: ${bed.mirror}/kumahq.github.io/charts/index.yaml records digest ${standIn}, but meshspec pins ed9e1452df5c4be1f53fc57b90d774ee4acf71119d08ae58be8cf3cff3f46ecb; refusing a chart that is not the published one`,
      );
      expect(bed.argvs()).toEqual([]);
    } finally {
      pins['2.11.0'] = standIn;
    }
  });

  it('Traefik Mesh: a chart version the index does not list is an infra error naming the index', async () => {
    const error = await rejection(ensureMesh(options({ mesh: 'traefik_mesh', settings: { chartVersion: '9.9.9' } })));
    expect(error.kind).toBe('infra');
    expect(error.message).toBe(`chart traefik-mesh with version 9.9.9 is not in the chart index ${bed.mirror}/traefik.github.io/charts/index.yaml; set traefik_mesh_chart_version to a version the index lists`);
    expect(bed.argvs()).toEqual([]);
  });

  it('accepts every spelling Meshery users type, and the SMP enum number', async () => {
    for (const name of ['open_service_mesh', 'OPEN_SERVICE_MESH', 10, 'Open Service Mesh']) {
      expect((await ensureMesh(options({ mesh: name }))).mesh.id).toBe('osm');
      bed.clearLog();
    }
  });

  it('installs nothing over a control plane that is already there, and does not claim it', async () => {
    await bed.deployControlPlane('osm', 'v1.2.3');
    const mesh = await ensureMesh(options({ mesh: 'osm' }));
    expect(mesh).toMatchObject({ installed: false, version: 'v1.2.3', state: { installed: false } });
    expect(bed.argvs()).toEqual([]);
  });

  it('a control plane that never becomes ready times out naming the Deployment', async () => {
    const { createEchoPodRuntime } = await import('../support/fake-cluster/index.mjs');
    const echo = createEchoPodRuntime();
    // The injector's image cannot start; the rest of the control plane can.
    const own = await startBed({
      podRuntime: { ...echo, start: (pod: any) => (pod.metadata.name.startsWith('osm-injector') ? Promise.reject(new Error('ErrImagePull')) : echo.start(pod)) },
    });
    try {
      const error = await rejection(
        ensureMesh({ ...options({ mesh: 'osm' }), kubeconfig: own.fakeKubeconfig, logger: own.logger, env: own.env, download: { mirror: own.mirror, toolCache: own.toolCache }, timeoutMs: 1500 }),
      );
      expect(error.kind).toBe('infra');
      expect(error.message).toBe('the Open Service Mesh control plane was not ready within 1.5s: Deployment osm-system/osm-injector: 0/1 replicas Ready');
      expect(own.argvs()).toEqual([['osm', 'install', '--mesh-name=osm', '--osm-namespace=osm-system', '--set=osm.enablePermissiveTrafficPolicy=false']]);
    } finally {
      await own.close();
    }
  });
});

describe('mesh_deployed: true', () => {
  it.each(MESHES.filter((m) => m.installer).map((m) => [m.id, m.defaultVersion!] as const))(
    '%s: finds the control plane the fake cluster runs and reads version %s, installing nothing',
    async (id, version) => {
      await bed.deployControlPlane(id);
      const mesh = await ensureMesh(options({ mesh: id, deployed: true }));
      expect(mesh).toMatchObject({ installed: false, version, state: { meshId: id, installed: false, version } });
      expect(bed.argvs()).toEqual([]);
      expect(bed.server.requests.length).toBeGreaterThanOrEqual(0);
    },
  );

  it('fails clearly when the control plane is not there', async () => {
    const error = await rejection(ensureMesh(options({ mesh: 'osm', deployed: true, wording: ACTION_WORDING })));
    expect(error.kind).toBe('infra');
    expect(error.message).toBe(
      'the mesh is said to be deployed, but the Open Service Mesh control plane is not in the cluster (context "fake-cluster"): ' +
        'no Deployment osm-system/osm-controller, osm-system/osm-injector, osm-system/osm-bootstrap. Install the mesh first, or set mesh_deployed: false to let meshspec install it',
    );
    // The CLI speaks of its own flag.
    const cli = await rejection(ensureMesh(options({ mesh: 'osm', deployed: true })));
    expect(cli.message).toMatch(/Install the mesh first, or leave out --mesh-deployed to let meshspec install it$/);
  });

  it('warns when the deployed version is not mesh_version', async () => {
    await bed.deployControlPlane('istio', '1.29.0');
    const mesh = await ensureMesh(options({ mesh: 'istio', deployed: true, version: '1.30.3' }));
    expect(mesh.version).toBe('1.29.0');
    expect(bed.logger.text('warn')).toContain('mesh_version is 1.30.3, but the deployed Istio runs 1.29.0; results record 1.29.0');
  });

  it('the control plane meshspec looks for is the one the fake cluster simulates', () => {
    for (const m of MESHES.filter((x) => x.installer)) {
      const deployments = controlPlaneManifests(m.id)
        .filter((o: any) => o.kind === 'Deployment' && o.metadata.namespace === m.installer!.controlPlane.namespace)
        .map((o: any) => o.metadata.name);
      expect(m.installer!.controlPlane.deployments.map((d) => d.name)).toEqual(deployments);
    }
  });
});

describe('unknown and uninstallable meshes', () => {
  it('an unknown name is an input error listing the known ones', async () => {
    const error = await rejection(ensureMesh(options({ mesh: 'nope' })));
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/^service_mesh: unknown service mesh "nope". Known meshes: app_mesh \(1\), consul \(2\), istio \(3\), kuma \(4\), linkerd \(5\)/);
  });

  it('a mesh meshspec cannot install says to install it and set mesh_deployed', async () => {
    const error = await rejection(ensureMesh(options({ mesh: 'cilium', wording: ACTION_WORDING })));
    expect(error.message).toBe(
      'service_mesh: meshspec cannot install Cilium Service Mesh; install it yourself and set mesh_deployed: true. meshspec installs: consul, istio, kuma, linkerd, traefik_mesh, osm',
    );
    const cli = await rejection(ensureMesh(options({ mesh: 'cilium', where: 'mesh' })));
    expect(cli.message).toMatch(/^mesh: meshspec cannot install Cilium Service Mesh; install it yourself and pass --mesh-deployed\. /);
    expect(cli.message).not.toMatch(/mesh_deployed/);
  });

  it.each([
    ['docker://28.1.1', ['linkerd', 'install', '--set', 'proxyInit.runAsRoot=true']],
    ['containerd://2.1.4', ['linkerd', 'install']],
  ])('linkerd on a node whose runtime is %s', async (runtime, controlPlaneArgv) => {
    const node = { group: '', resource: 'nodes', name: 'fake-node' };
    const saved = bed.cluster.store.get(node).status.nodeInfo.containerRuntimeVersion;
    bed.cluster.store.mutate(node, (n: any) => void (n.status.nodeInfo.containerRuntimeVersion = runtime));
    try {
      await ensureMesh(options({ mesh: 'linkerd' }));
      expect(bed.argvs()[2]).toEqual(controlPlaneArgv);
    } finally {
      bed.cluster.store.mutate(node, (n: any) => void (n.status.nodeInfo.containerRuntimeVersion = saved));
    }
  });

  it('none installs nothing', async () => {
    const mesh = await ensureMesh(options({ mesh: 'none' }));
    expect([mesh.installed, mesh.version]).toEqual([false, undefined]);
    expect(bed.argvs()).toEqual([]);
  });
});

describe('teardown', () => {
  it('removes a mesh meshspec installed on a cluster it did not create, extras first', async () => {
    const mesh = await ensureMesh(options({ mesh: 'linkerd' }));
    bed.clearLog();
    const removed = await teardownMesh(JSON.parse(JSON.stringify(mesh.state)), {
      logger: bed.logger,
      cluster: { mode: 'existing', created: false },
      download: { mirror: bed.mirror, toolCache: bed.toolCache },
      env: bed.env,
      platform: PLATFORM,
    });
    expect(bed.logger.text('warn')).toBe('');
    expect(removed).toBe(true);
    expect(bed.argvs()).toEqual([
      ['linkerd-smi', 'install'],
      ['kubectl', 'delete', '--ignore-not-found', '-f', '-'],
      ['linkerd', 'uninstall'],
      ['kubectl', 'delete', '--ignore-not-found', '-f', '-'],
    ]);
    const apps = bed.kube().makeApiClient(k8s.AppsV1Api);
    expect((await apps.listNamespacedDeployment({ namespace: 'linkerd' })).items).toEqual([]);
  });

  it('the post step removes it with the download inputs again (the mirror, the runner\'s tool cache) and the state the main step saved', async () => {
    const mesh = await ensureMesh(options({ mesh: 'osm' }));
    bed.clearLog();
    const saved = { ...process.env };
    const runner = mkdtempSync(join(tmpdir(), 'meshspec-post-'));
    // The post step's environment: the inputs again (INPUT_*), the state (STATE_*), a fresh tool cache.
    Object.assign(process.env, bed.env, {
      INPUT_DOWNLOAD_MIRROR: bed.mirror,
      STATE_mesh: JSON.stringify(mesh.state),
      STATE_cluster: JSON.stringify({ mode: 'existing', created: false }),
      RUNNER_TOOL_CACHE: join(runner, 'tool-cache'),
      RUNNER_TEMP: join(runner, 'tmp'),
    });
    try {
      await teardownFromState(bed.logger, new AbortController().signal);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    expect(bed.logger.text('warn')).toBe('');
    expect(bed.argvs()).toEqual([
      ['osm', 'uninstall', 'mesh', '--mesh-name=osm', '--osm-namespace=osm-system', '--force', '--delete-namespace', '--delete-cluster-wide-resources'],
    ]);
  });

  it('osm uninstall on an existing cluster', async () => {
    const mesh = await ensureMesh(options({ mesh: 'osm' }));
    bed.clearLog();
    await teardownMesh(mesh.state, { logger: bed.logger, cluster: { mode: 'existing', created: false }, download: { mirror: bed.mirror, toolCache: bed.toolCache }, env: bed.env, platform: PLATFORM });
    expect(bed.argvs()).toEqual([
      ['osm', 'uninstall', 'mesh', '--mesh-name=osm', '--osm-namespace=osm-system', '--force', '--delete-namespace', '--delete-cluster-wide-resources'],
    ]);
  });

  it.each([
    ['the cluster meshspec created goes away whole', { cluster: { mode: 'minikube' as const, created: true } }],
    ['keep_cluster keeps the mesh too', { cluster: { mode: 'existing' as const, created: false }, keepCluster: true }],
  ])('leaves it when %s', async (_name, extra) => {
    const mesh = await ensureMesh(options({ mesh: 'osm' }));
    bed.clearLog();
    expect(await teardownMesh(mesh.state, { logger: bed.logger, env: bed.env, ...extra })).toBe(false);
    expect(bed.argvs()).toEqual([]);
  });

  it('leaves a mesh that was there before', async () => {
    await bed.deployControlPlane('osm');
    const mesh = await ensureMesh(options({ mesh: 'osm', deployed: true }));
    expect(await teardownMesh(mesh.state, { logger: bed.logger, cluster: { mode: 'existing', created: false }, env: bed.env })).toBe(false);
    expect(bed.argvs()).toEqual([]);
  });
});
