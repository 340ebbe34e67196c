import { describe, expect, it } from 'vitest';
import type { DownloadRequest } from '../download/download-verified.js';
import { PATTERNS } from '../download/patterns.js';
import { pickChart } from './helm.js';
import type { MeshInstaller, ToolRequirement } from './installer.js';
import { KUMA_CHART_PINNED_SHA256 } from './kuma.js';
import { linkerdAssetName, linkerdHasChecksumFile } from './linkerd.js';
import { TRAEFIK_MESH_CHART_REPO } from './traefik-mesh.js';
import { MESHES, requireMesh } from './registry.js';

const linuxAmd64 = { platform: { os: 'linux', arch: 'amd64' } };
const linuxArm64 = { platform: { os: 'linux', arch: 'arm64' } };
const GH = 'https://github.com';

const installerOf = (id: string): MeshInstaller => requireMesh(id, 'test').installer!;
const resolveSync = (t: ToolRequirement, env = linuxAmd64) => t.resolve(env) as DownloadRequest;

describe('the registry, one table for the meshes meshspec installs', () => {
  const installable = MESHES.filter((m) => m.installer);
  it('covers OSM, Linkerd, Istio, Traefik Mesh, Consul and Kuma', () => {
    expect(installable.map((m) => m.id).sort()).toEqual(['consul', 'istio', 'kuma', 'linkerd', 'osm', 'traefik_mesh']);
  });
  it.each(installable.map((m) => [m.id, m] as const))('%s has a pinned version its installer accepts and a known-good Kubernetes version', (id, m) => {
    expect(m.installer!.meshId).toBe(id);
    expect(m.installer!.checkVersion(m.defaultVersion!)).toBe(m.defaultVersion);
    expect(m.kubernetesVersion).toMatch(PATTERNS.kubernetes);
    expect(m.kubernetesVersion!.startsWith('v')).toBe(true);
  });
  it('refuses a mesh version that could reach a URL or path', () => {
    expect(() => installerOf('osm').checkVersion('v1.2.4/../../x')).toThrow(/mesh_version: .* is not valid; expected something like v1.2.4/);
    expect(() => installerOf('linkerd').checkVersion('1.2.3')).toThrow(/expected something like edge-26.8.3/);
  });
});

describe('tool downloads per mesh', () => {
  it('osm: the release archive, checked against sha256sums.txt, binary inside <os>-<arch>/', () => {
    const [osm] = installerOf('osm').tools('v1.2.4');
    expect(resolveSync(osm!, linuxArm64)).toEqual({
      toolName: 'osm',
      version: 'v1.2.4',
      arch: 'arm64',
      url: `${GH}/openservicemesh/osm/releases/download/v1.2.4/osm-v1.2.4-linux-arm64.tar.gz`,
      checksumUrl: `${GH}/openservicemesh/osm/releases/download/v1.2.4/sha256sums.txt`,
      archivePath: 'linux-arm64/osm',
    });
  });

  it('linkerd: edges from 25.9.4 on are checked with the Releases API digest, older ones with .sha256', () => {
    const [edge] = installerOf('linkerd').tools('edge-26.8.3');
    expect(resolveSync(edge!)).toEqual({
      toolName: 'linkerd',
      version: 'edge-26.8.3',
      arch: 'amd64',
      url: `${GH}/linkerd/linkerd2/releases/download/edge-26.8.3/linkerd2-cli-edge-26.8.3-linux-amd64`,
      githubDigest: { repo: 'linkerd/linkerd2', tag: 'edge-26.8.3', asset: 'linkerd2-cli-edge-26.8.3-linux-amd64' },
    });
    const [old] = installerOf('linkerd').tools('stable-2.14.10');
    expect(resolveSync(old!).checksumUrl).toBe(`${GH}/linkerd/linkerd2/releases/download/stable-2.14.10/linkerd2-cli-stable-2.14.10-linux-amd64.sha256`);
  });

  it.each([
    ['edge-25.9.3', true],
    ['edge-25.9.4', false],
    ['edge-25.10.1', false],
    ['edge-24.12.9', true],
    ['edge-26.8.3', false],
    ['stable-2.14.10', true],
  ])('linkerd %s publishes a .sha256: %s', (v, has) => expect(linkerdHasChecksumFile(v)).toBe(has));

  it.each([
    [{ os: 'linux', arch: 'amd64' }, 'linkerd2-cli-edge-26.8.3-linux-amd64'],
    [{ os: 'linux', arch: 'arm64' }, 'linkerd2-cli-edge-26.8.3-linux-arm64'],
    [{ os: 'darwin', arch: 'amd64' }, 'linkerd2-cli-edge-26.8.3-darwin'],
    [{ os: 'darwin', arch: 'arm64' }, 'linkerd2-cli-edge-26.8.3-darwin-arm64'],
  ])('linkerd asset for %j', (platform, name) => expect(linkerdAssetName('linkerd2-cli', 'edge-26.8.3', platform)).toBe(name));

  it('linkerd-smi: its own release, with .sha256', () => {
    const extra = installerOf('linkerd').smiExtras('edge-26.8.3')[0]!;
    expect(resolveSync(extra.tools![0]!)).toEqual({
      toolName: 'linkerd-smi',
      version: 'v0.2.7',
      arch: 'amd64',
      url: `${GH}/linkerd/linkerd-smi/releases/download/v0.2.7/linkerd-smi-0.2.7-linux-amd64`,
      checksumUrl: `${GH}/linkerd/linkerd-smi/releases/download/v0.2.7/linkerd-smi-0.2.7-linux-amd64.sha256`,
    });
  });

  it('istio: istioctl archive (osx for macOS), .sha256 with "<hex> <name>"', () => {
    const [istioctl] = installerOf('istio').tools('1.30.3');
    expect(resolveSync(istioctl!)).toEqual({
      toolName: 'istioctl',
      version: '1.30.3',
      arch: 'amd64',
      url: `${GH}/istio/istio/releases/download/1.30.3/istioctl-1.30.3-linux-amd64.tar.gz`,
      checksumUrl: `${GH}/istio/istio/releases/download/1.30.3/istioctl-1.30.3-linux-amd64.tar.gz.sha256`,
      archivePath: 'istioctl',
    });
    expect(resolveSync(istioctl!, { platform: { os: 'darwin', arch: 'arm64' } }).url).toMatch(/istioctl-1.30.3-osx-arm64.tar.gz$/);
  });

  it('helm meshes: helm 3 from get.helm.sh with .sha256, and a chart from the repository index', () => {
    for (const id of ['traefik_mesh', 'consul', 'kuma']) {
      const [helm, chart] = installerOf(id).tools(requireMesh(id, 'test').defaultVersion!);
      expect(resolveSync(helm!, linuxArm64)).toEqual({
        toolName: 'helm',
        version: 'v3.21.4',
        arch: 'arm64',
        url: 'https://get.helm.sh/helm-v3.21.4-linux-arm64.tar.gz',
        checksumUrl: 'https://get.helm.sh/helm-v3.21.4-linux-arm64.tar.gz.sha256',
        archivePath: 'linux-arm64/helm',
      });
      expect(chart!.key).toBe('chart');
    }
  });

  it("kuma: its Helm chart 2.11.0, with the digest kumahq/charts' index.yaml publishes pinned", () => {
    expect(requireMesh('kuma', 'test').defaultVersion).toBe('2.11.0');
    expect(KUMA_CHART_PINNED_SHA256['2.11.0']).toBe('ed9e1452df5c4be1f53fc57b90d774ee4acf71119d08ae58be8cf3cff3f46ecb');
  });

  it('traefik_mesh: the chart repository and version are settings, the repository defaulting to traefik.github.io/charts', () => {
    expect(TRAEFIK_MESH_CHART_REPO).toBe('https://traefik.github.io/charts');
    expect(installerOf('traefik_mesh').tools('v1.4.8', { chartRepo: 'https://charts.example/mesh', chartVersion: '4.1.1' })[1]!.key).toBe('chart');
  });
});

describe('install and uninstall command lines per mesh', () => {
  const tools = { chart: '/cache/chart.tgz' };
  // prettier-ignore
  it.each([
    ['osm', 'v1.2.4',
      [['osm', 'install', '--mesh-name=osm', '--osm-namespace=osm-system', '--set=osm.enablePermissiveTrafficPolicy=false']],
      [['osm', 'uninstall', 'mesh', '--mesh-name=osm', '--osm-namespace=osm-system', '--force', '--delete-namespace', '--delete-cluster-wide-resources']]],
    ['linkerd', 'edge-26.8.3',
      [['linkerd', 'install', '--crds', '--set', 'installGatewayAPI=true', '|', 'apply', '-f', '-'], ['linkerd', 'install', '|', 'apply', '-f', '-']],
      [['linkerd', 'uninstall', '|', 'delete', '--ignore-not-found', '-f', '-']]],
    ['istio', '1.30.3',
      [['istioctl', 'install', '--skip-confirmation', '--set', 'profile=minimal']],
      [['istioctl', 'uninstall', '--purge', '--skip-confirmation']]],
    ['traefik_mesh', 'v1.4.8',
      [['helm', 'install', 'traefik-mesh', '/cache/chart.tgz', '--namespace=traefik-mesh', '--create-namespace', '--set=acl=true', '--set=tracing.deploy=false', '--set=metrics.deploy=false']],
      [['helm', 'uninstall', 'traefik-mesh', '--namespace=traefik-mesh']]],
    ['consul', '2.0.3',
      [['helm', 'install', 'consul', '/cache/chart.tgz', '--namespace=consul', '--create-namespace', '--set=global.name=consul', '--set=connectInject.enabled=true', '--set=server.replicas=1', '--set=ui.enabled=false']],
      [['helm', 'uninstall', 'consul', '--namespace=consul']]],
    ['kuma', '2.11.0',
      [['helm', 'install', 'kuma', '/cache/chart.tgz', '--namespace=kuma-system', '--create-namespace']],
      [['helm', 'uninstall', 'kuma', '--namespace=kuma-system']]],
  ])('%s %s', (id, version, install, uninstall) => {
    const flat = (s: { tool: string; args: string[]; pipeToKubectl?: string[] }) => [s.tool, ...s.args, ...(s.pipeToKubectl ? ['|', ...s.pipeToKubectl] : [])];
    expect(installerOf(id).installSteps(version, tools, { nodeRuntimes: ['containerd://2.1.4'] }).map(flat)).toEqual(install);
    expect(installerOf(id).uninstallSteps(version, tools).map(flat)).toEqual(uninstall);
  });

  it('linkerd: proxyInit.runAsRoot=true exactly when a node reports the docker runtime (linkerd install refuses it otherwise)', () => {
    const second = (runtimes: string[]) => installerOf('linkerd').installSteps('edge-26.8.3', tools, { nodeRuntimes: runtimes })[1]!.args;
    expect(second(['docker://28.1.1'])).toEqual(['install', '--set', 'proxyInit.runAsRoot=true']);
    expect(second(['containerd://2.1.4', 'docker://28.1.1'])).toEqual(['install', '--set', 'proxyInit.runAsRoot=true']);
    expect(second(['containerd://2.1.4'])).toEqual(['install']);
    expect(second(['cri-o://1.33.0'])).toEqual(['install']);
    expect(second([])).toEqual(['install']);
  });

  it('SMI extras: linkerd-smi for Linkerd; the v1beta1-only adapters of Istio and Consul are declared as such', () => {
    const linkerd = installerOf('linkerd').smiExtras('edge-26.8.3');
    expect(linkerd.map((e) => [e.name, e.requiresApi, e.deployments])).toEqual([['linkerd-smi v0.2.7', undefined, [{ namespace: 'linkerd-smi', name: 'smi-adaptor' }]]]);
    expect(linkerd[0]!.steps({}).map((s) => [s.tool, ...s.args, '|', ...s.pipeToKubectl!])).toEqual([['linkerd-smi', 'install', '|', 'apply', '-f', '-']]);
    expect(installerOf('istio').smiExtras('1.30.3').map((e) => e.requiresApi)).toEqual(['apiextensions.k8s.io/v1beta1']);
    expect(installerOf('consul').smiExtras('2.0.3')[0]!.unavailable).toMatch(/v1beta1/);
    expect(installerOf('osm').smiExtras('v1.2.4')).toEqual([]); // permissive mode off is an install flag
    expect(installerOf('kuma').smiExtras('2.11.0')).toEqual([]);
  });
});

describe('pickChart', () => {
  const index = {
    entries: {
      'traefik-mesh': [
        { version: '4.1.0', appVersion: 'v1.4.8', digest: 'a'.repeat(64), urls: ['traefik-mesh-4.1.0.tgz'] },
        { version: '4.1.1', appVersion: 'v1.4.8', digest: 'b'.repeat(64), urls: ['https://github.com/traefik/charts/releases/download/traefik-mesh-4.1.1/traefik-mesh-4.1.1.tgz'] },
        { version: '4.2.0-rc1', appVersion: 'v1.4.8', digest: 'c'.repeat(64), urls: ['x.tgz'] },
        { version: '3.0.8', appVersion: 'v1.4.1', digest: 'd'.repeat(64), urls: ['traefik-mesh-3.0.8.tgz'] },
      ],
    },
  };
  it('takes the newest stable chart of an appVersion, as helm does without --devel', () => {
    expect(pickChart(index, { repoUrl: 'r', chart: 'traefik-mesh', appVersion: 'v1.4.8' }, 'i').version).toBe('4.1.1');
    expect(pickChart(index, { repoUrl: 'r', chart: 'traefik-mesh', version: '4.2.0-rc1' }, 'i').version).toBe('4.2.0-rc1');
  });
  it('takes an exact version', () => {
    expect(pickChart(index, { repoUrl: 'r', chart: 'traefik-mesh', version: '3.0.8' }, 'i').digest).toBe('d'.repeat(64));
  });
  it('names what is missing', () => {
    expect(() => pickChart(index, { repoUrl: 'r', chart: 'traefik-mesh', appVersion: 'v9.9.9' }, 'https://x/index.yaml')).toThrow(
      'chart traefik-mesh with appVersion v9.9.9 is not in the chart index https://x/index.yaml',
    );
  });
});
