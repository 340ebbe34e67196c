// The lifecycle test bed: a release server laid out as the download mirror, the stub executables
// published on it (so every tool goes through downloadVerified), a fake API server for them to act
// on, a private tool cache, and the argv log the stubs write.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { createToolCache } from '../../packages/core/src/download/tool-cache.js';
import { MINIKUBE_PINNED_SHA256 } from '../../packages/core/src/cluster/minikube.js';
import { KUMA_CHART_PINNED_SHA256 } from '../../packages/core/src/mesh/kuma.js';
import { publishGithubAsset, sha256, startReleaseServer, tarGz } from '../support/release-server.mjs';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import { controlPlaneManifests } from '../support/fake-cluster/mesh/control-plane.mjs';

const STUBS_DIR = resolve(import.meta.dirname, '../support/stubs');
export const stub = (tool: string) => readFileSync(join(STUBS_DIR, tool));
export const PLATFORM = { os: 'linux', arch: 'amd64' } as const;

export interface Recorded {
  tool: string;
  argv: string[];
  githubToken: string | null;
  kubeconfig: string | null;
}

type ReleaseServer = Awaited<ReturnType<typeof startReleaseServer>>;

/** Publishes every tool the lifecycle downloads, for linux amd64 and arm64, in upstream layouts. */
async function publishTools(server: ReleaseServer): Promise<void> {
  for (const arch of ['amd64', 'arm64']) {
    publishGithubAsset(server, { repo: 'kubernetes/minikube', tag: 'v1.38.1', asset: `minikube-linux-${arch}`, body: stub('minikube'), checksum: 'hex' });
    // meshspec pins minikube's published digests for v1.38.1; the stub stands in for that release
    // here, so the bed pins the stub (minikube.test.ts checks the real table against minikube's data).
    (MINIKUBE_PINNED_SHA256['v1.38.1'] as Record<string, string>)[`linux-${arch}`] = sha256(stub('minikube'));
    publishGithubAsset(server, {
      repo: 'openservicemesh/osm',
      tag: 'v1.2.4',
      asset: `osm-v1.2.4-linux-${arch}.tar.gz`,
      body: await tarGz({ [`linux-${arch}/osm`]: stub('osm'), [`linux-${arch}/README.md`]: 'osm' }),
      checksum: 'sums',
    });
    publishGithubAsset(server, { repo: 'linkerd/linkerd2', tag: 'edge-26.8.3', asset: `linkerd2-cli-edge-26.8.3-linux-${arch}`, body: stub('linkerd'), checksum: 'digest' });
    publishGithubAsset(server, { repo: 'linkerd/linkerd-smi', tag: 'v0.2.7', asset: `linkerd-smi-0.2.7-linux-${arch}`, body: stub('linkerd-smi'), checksum: 'hex' });
    publishGithubAsset(server, { repo: 'istio/istio', tag: '1.30.3', asset: `istioctl-1.30.3-linux-${arch}.tar.gz`, body: await tarGz({ istioctl: stub('istioctl') }), checksum: 'istio' });
    const helm = await tarGz({ [`linux-${arch}/helm`]: stub('helm'), [`linux-${arch}/LICENSE`]: 'Apache-2.0' });
    server.put(`/get.helm.sh/helm-v3.21.4-linux-${arch}.tar.gz`, helm);
    server.put(`/get.helm.sh/helm-v3.21.4-linux-${arch}.tar.gz.sha256`, `${sha256(helm)}\n`);
    server.put(
      `/packages.konghq.com/public/kuma-binaries-release/raw/names/kuma-linux-${arch}/versions/2.14.3/kuma-2.14.3-linux-${arch}.tar.gz`,
      await tarGz({ 'kuma-2.14.3/bin/kumactl': stub('kumactl') }),
    );
  }
  const traefikChart = Buffer.from('traefik-mesh chart 4.1.1');
  server.put('/traefik.github.io/charts/traefik-mesh-4.1.1.tgz', traefikChart);
  server.put(
    '/traefik.github.io/charts/index.yaml',
    [
      'apiVersion: v1',
      'entries:',
      '  traefik-mesh:',
      `  - {version: 4.1.1, appVersion: v1.4.8, digest: ${sha256(traefikChart)}, urls: [https://traefik.github.io/charts/traefik-mesh-4.1.1.tgz]}`,
      `  - {version: 3.0.8, appVersion: v1.4.1, digest: ${'0'.repeat(64)}, urls: [https://traefik.github.io/charts/traefik-mesh-3.0.8.tgz]}`,
      '  traefik:',
      `  - {version: 37.0.0, appVersion: v3.5.0, digest: ${'1'.repeat(64)}, urls: [traefik-37.0.0.tgz]}`,
    ].join('\n'),
  );
  // Kuma's chart. meshspec pins the digest kumahq/charts publishes for 2.11.0; the bed's chart is a
  // stand-in, so the bed pins the stand-in's digest instead (mesh.test.ts shows the real pin refusing it).
  const kumaChart = Buffer.from('kuma chart 2.11.0');
  (KUMA_CHART_PINNED_SHA256 as Record<string, string>)['2.11.0'] = sha256(kumaChart);
  server.put('/kumahq/charts/releases/download/kuma-2.11.0/kuma-2.11.0.tgz', kumaChart);
  server.put(
    '/kumahq.github.io/charts/index.yaml',
    `apiVersion: v1\nentries:\n  kuma:\n  - {version: 2.11.0, appVersion: 2.11.0, digest: ${sha256(kumaChart)}, urls: [https://github.com/kumahq/charts/releases/download/kuma-2.11.0/kuma-2.11.0.tgz]}\n`,
  );
  const consulChart = Buffer.from('consul chart 2.0.3');
  server.put('/helm.releases.hashicorp.com/consul-2.0.3.tgz', consulChart);
  server.put(
    '/helm.releases.hashicorp.com/index.yaml',
    `apiVersion: v1\nentries:\n  consul:\n  - {version: 2.0.3, appVersion: 1.22.0, digest: ${sha256(consulChart)}, urls: [consul-2.0.3.tgz]}\n`,
  );
}

export interface BedOptions {
  /** Pod runtime for the fake cluster (e.g. one that never starts some pods). */
  podRuntime?: unknown;
}

export async function startBed(options: BedOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-lifecycle-'));
  const server = await startReleaseServer();
  await publishTools(server);
  const cluster = await startFakeCluster(options.podRuntime ? { podRuntime: options.podRuntime } : {});
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  copyFileSync(join(STUBS_DIR, 'kubectl'), join(bin, 'kubectl'));
  const log = join(dir, 'stub-log.jsonl');
  const executed = join(dir, 'executed.txt');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    HOME: dir,
    MESHSPEC_STUBS_DIR: STUBS_DIR,
    MESHSPEC_STUB_LOG: log,
    MESHSPEC_STUB_STATE: join(dir, 'state'),
    MESHSPEC_STUB_EXECUTED: executed,
    MESHSPEC_STUB_CLUSTER_URL: cluster.url,
    MESHSPEC_STUB_CLUSTER_TOKEN: cluster.token,
  };
  for (const k of ['KUBECONFIG', 'GITHUB_TOKEN', 'MINIKUBE_HOME', 'MESHSPEC_DOWNLOAD_MIRROR', 'RUNNER_TOOL_CACHE', 'RUNNER_TEMP', 'GITHUB_ACTIONS']) delete env[k];
  const logger = new MemoryLogger();
  const toolCache = createToolCache({ toolCacheDir: join(dir, 'tool-cache'), tempDir: join(dir, 'tmp'), logger, env });
  const fakeKubeconfig = await cluster.writeKubeconfig(join(dir, 'fake-kubeconfig'));
  return {
    dir,
    server,
    cluster,
    env,
    logger,
    toolCache,
    mirror: server.url,
    /** A kubeconfig that points at the fake cluster (context fake-cluster). */
    fakeKubeconfig,
    /** Where minikube (the stub) writes its kubeconfig. */
    kubeconfig: join(dir, '.kube', 'config'),
    /** The commands the stubs ran, in order. */
    commands(): Recorded[] {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Recorded);
    },
    /** argv per command, with the tool name first. */
    argvs(): string[][] {
      return this.commands().map((c) => [c.tool, ...c.argv]);
    },
    executed(): string[] {
      return existsSync(executed) ? readFileSync(executed, 'utf8').split('\n').filter(Boolean) : [];
    },
    clearLog() {
      rmSync(log, { force: true });
      rmSync(executed, { force: true });
    },
    kube() {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(fakeKubeconfig);
      return kc;
    },
    /** Creates a mesh's control plane the way a real install leaves it (the fake's manifests). */
    async deployControlPlane(meshId: string, version?: string) {
      const objects = k8s.KubernetesObjectApi.makeApiClient(this.kube());
      for (const obj of controlPlaneManifests(meshId, version ? { version } : {})) await objects.create(obj);
      await cluster.idle();
    },
    async close() {
      await cluster.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Bed = Awaited<ReturnType<typeof startBed>>;
