import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../errors.js';
import { minikubeCacheKey } from './cache.js';
import { isGitHubDotCom, MINIKUBE_PINNED_SHA256, minikubeDownload, minikubeEnv, minikubeStartArgs, splitArgs, type MinikubeStartOptions } from './minikube.js';
import { currentPlatform, requireClusterPlatform } from './platform.js';

const GH = 'https://github.com/kubernetes/minikube/releases/download';

describe('minikube download URLs across OS x architecture', () => {
  // prettier-ignore
  it.each([
    ['linux',   'amd64', 'v1.38.1', `${GH}/v1.38.1/minikube-linux-amd64`],
    ['linux',   'arm64', 'v1.38.1', `${GH}/v1.38.1/minikube-linux-arm64`],
    ['darwin',  'amd64', 'v1.38.1', `${GH}/v1.38.1/minikube-darwin-amd64`],
    ['darwin',  'arm64', 'v1.38.1', `${GH}/v1.38.1/minikube-darwin-arm64`],
    ['windows', 'amd64', 'v1.38.1', `${GH}/v1.38.1/minikube-windows-amd64.exe`],
    ['linux',   'amd64', '1.37.0',  `${GH}/v1.37.0/minikube-linux-amd64`],
    ['linux',   'arm64', 'v1.36.0', `${GH}/v1.36.0/minikube-linux-arm64`],
  ])('%s/%s %s', (os, arch, version, url) => {
    const req = minikubeDownload(version, { os, arch });
    expect(req.url).toBe(url);
    expect(req.toolName).toBe('minikube');
    expect(req.arch).toBe(arch);
    // A version with digests recorded in code is checked against them; any other against its .sha256.
    const pinned = MINIKUBE_PINNED_SHA256[req.version]?.[`${os}-${arch}`];
    expect([req.sha256, req.checksumUrl]).toEqual(pinned ? [pinned, undefined] : [undefined, `${url}.sha256`]);
  });

  it("pins every OS and architecture of the default version with minikube's own release digests", () => {
    const releases = JSON.parse(readFileSync(new URL('../../../../test/fixtures/checksums/minikube-releases-v1.38.json', import.meta.url), 'utf8')) as {
      name: string;
      checksums: Record<string, Record<string, string> | string>;
    }[];
    const published = releases.find((r) => r.name === 'v1.38.1')!.checksums;
    const expected: Record<string, string> = {};
    for (const [arch, byOs] of Object.entries(published)) {
      if (typeof byOs === 'object') for (const [os, digest] of Object.entries(byOs)) expected[`${os}-${arch}`] = digest;
    }
    expect(Object.keys(expected)).toHaveLength(7); // amd64: darwin, linux, windows; arm64: darwin, linux; ppc64le and s390x: linux
    expect(MINIKUBE_PINNED_SHA256['v1.38.1']).toEqual(expected);
    const req = minikubeDownload('v1.38.1', { os: 'linux', arch: 'amd64' });
    expect([req.sha256, req.checksumUrl]).toEqual(['099477eaf248bcb5bcea8ce78a2898e93ac01461c35189da1848c3de82ecd22e', undefined]);
  });

  it('goes through the mirror, .sha256 beside the binary', () => {
    const req = minikubeDownload('v1.38.1', { os: 'linux', arch: 'amd64' }, 'http://127.0.0.1:9/m');
    expect(req.url).toBe('http://127.0.0.1:9/m/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64');
    if (!req.sha256) expect(req.checksumUrl).toBe(`${req.url}.sha256`);
  });

  it.each(['latest', '1.38', 'v1.38.1/../../x', 'v1.38.1?x', '1.38.1 --foo'])('refuses the version %j before it reaches a URL', (v) => {
    expect(() => minikubeDownload(v, { os: 'linux', arch: 'amd64' })).toThrow(/minikube_version: .* is not valid/);
  });
});

const base: MinikubeStartOptions = { profile: 'meshspec', driver: 'docker', kubernetesVersion: 'v1.35.1', waitTimeoutMs: 360_000, extraArgs: [] };

describe('minikube start argv', () => {
  // prettier-ignore
  it.each<[string, Partial<MinikubeStartOptions>, string[]]>([
    ['defaults', {}, ['start', '--profile=meshspec', '--driver=docker', '--kubernetes-version=v1.35.1', '--wait=all', '--wait-timeout=6m']],
    ['every option', { containerRuntime: 'containerd', cpus: '4', memory: '8g', kubernetesVersion: '1.28.15', waitTimeoutMs: 90_000 },
      ['start', '--profile=meshspec', '--driver=docker', '--container-runtime=containerd', '--kubernetes-version=1.28.15', '--cpus=4', '--memory=8g', '--wait=all', '--wait-timeout=1m30s']],
    ['cpus max, memory in MB', { cpus: 'max', memory: '4096' },
      ['start', '--profile=meshspec', '--driver=docker', '--kubernetes-version=v1.35.1', '--cpus=max', '--memory=4096', '--wait=all', '--wait-timeout=6m']],
    ['extra args last, so they can override', { extraArgs: ['--addons=metrics-server', '--wait=apiserver'] },
      ['start', '--profile=meshspec', '--driver=docker', '--kubernetes-version=v1.35.1', '--wait=all', '--wait-timeout=6m', '--addons=metrics-server', '--wait=apiserver']],
    ['another driver and profile', { driver: 'podman', profile: 'ci-1' },
      ['start', '--profile=ci-1', '--driver=podman', '--kubernetes-version=v1.35.1', '--wait=all', '--wait-timeout=6m']],
  ])('%s', (_name, options, argv) => {
    expect(minikubeStartArgs({ ...base, ...options })).toEqual(argv);
  });

  it.each<[Partial<MinikubeStartOptions>, RegExp]>([
    [{ driver: 'docker; rm -rf /' }, /minikube_driver/],
    [{ kubernetesVersion: 'latest' }, /kubernetes_version/],
    [{ cpus: '0' }, /cpus/],
    [{ memory: 'lots' }, /memory/],
    [{ profile: '../x' }, /profile/],
  ])('refuses %j with an input error that names it', (options, message) => {
    expect(() => minikubeStartArgs({ ...base, ...options })).toThrow(message);
    expect(() => minikubeStartArgs({ ...base, ...options })).toThrow(MeshspecError);
  });

  it('splits extra start args on whitespace, with no shell involved', () => {
    expect(splitArgs('  --addons=ingress\n--extra-config=kubelet.max-pods=200 ')).toEqual(['--addons=ingress', '--extra-config=kubelet.max-pods=200']);
    expect(splitArgs(undefined)).toEqual([]);
  });
});

describe('GITHUB_TOKEN only for github.com', () => {
  it.each([
    ['https://github.com', true],
    ['https://GitHub.com/', true],
    ['https://ghes.example.com', false],
    ['https://octo.ghe.com', false],
    ['https://github.com.evil.example', false],
    [undefined, false],
    ['not a url', false],
  ])('%s -> %s', (url, expected) => expect(isGitHubDotCom(url)).toBe(expected));

  it('puts the token in minikube env for github.com and removes an inherited one for GHES', () => {
    const base = { PATH: '/bin', GITHUB_TOKEN: 'inherited' };
    const dotcom = minikubeEnv({ base, kubeconfigPath: '/k', githubToken: 'ghs_abc', serverUrl: 'https://github.com' });
    expect(dotcom).toMatchObject({ GITHUB_TOKEN: 'ghs_abc', KUBECONFIG: '/k', MINIKUBE_IN_STYLE: 'false', PATH: '/bin' });
    const ghes = minikubeEnv({ base, kubeconfigPath: '/k', githubToken: 'ghs_abc', serverUrl: 'https://ghes.example.com' });
    expect(ghes.GITHUB_TOKEN).toBeUndefined();
  });
});

describe('the cluster path is Linux amd64/arm64 only', () => {
  it.each([
    ['darwin', 'arm64', /needs a Linux runner.*darwin\/arm64/],
    ['windows', 'amd64', /needs a Linux runner/],
    ['linux', 's390x', /amd64 or arm64 runner/],
  ])('%s/%s fails fast with the reason', (os, arch, message) => {
    expect(() => requireClusterPlatform({ os, arch })).toThrow(message);
  });
  it('maps node names to asset names', () => {
    expect(currentPlatform('linux', 'x64')).toEqual({ os: 'linux', arch: 'amd64' });
    expect(currentPlatform('darwin', 'arm64')).toEqual({ os: 'darwin', arch: 'arm64' });
    expect(currentPlatform('win32', 'x64')).toEqual({ os: 'windows', arch: 'amd64' });
  });
});

describe('minikube cache key', () => {
  it('changes with every part that changes what minikube downloads', () => {
    const parts = { os: 'linux', arch: 'amd64', driver: 'docker', minikubeVersion: 'v1.38.1', kubernetesVersion: 'v1.35.1' };
    expect(minikubeCacheKey(parts)).toBe('meshspec-minikube-linux-amd64-docker-default-v1.38.1-v1.35.1');
    const keys = new Set([
      minikubeCacheKey(parts),
      minikubeCacheKey({ ...parts, arch: 'arm64' }),
      minikubeCacheKey({ ...parts, driver: 'podman' }),
      minikubeCacheKey({ ...parts, containerRuntime: 'containerd' }),
      minikubeCacheKey({ ...parts, minikubeVersion: 'v1.37.0' }),
      minikubeCacheKey({ ...parts, kubernetesVersion: 'v1.28.15' }),
    ]);
    expect(keys.size).toBe(6);
  });
});
