// downloadVerified against a local release server laid out as the mirror: verified installs are
// cached and not fetched again; anything that does not match is refused before it can run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeshspecError } from '../../packages/core/src/errors.js';
import { downloadVerified, type DownloadRequest } from '../../packages/core/src/download/download-verified.js';
import { githubReleaseUrl } from '../../packages/core/src/download/mirror.js';
import { ensureCluster } from '../../packages/core/src/cluster/ensure.js';
import { runCommand } from '../../packages/core/src/exec.js';
import { publishGithubAsset, sha256 } from '../support/release-server.mjs';
import { PLATFORM, startBed, stub, type Bed } from './fixture.js';

let bed: Bed;
beforeEach(async () => {
  bed = await startBed();
});
afterEach(async () => {
  await bed.close();
});

const ctx = () => ({ toolCache: bed.toolCache, logger: bed.logger, mirror: bed.mirror });
const minikubePath = '/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64';
const minikubeRequest = (): DownloadRequest => ({
  toolName: 'minikube',
  version: 'v1.38.1',
  arch: 'amd64',
  url: githubReleaseUrl('kubernetes/minikube', 'v1.38.1', 'minikube-linux-amd64', bed.mirror),
  checksumUrl: githubReleaseUrl('kubernetes/minikube', 'v1.38.1', 'minikube-linux-amd64.sha256', bed.mirror),
});

async function refusal(p: Promise<unknown>): Promise<MeshspecError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MeshspecError);
  return error as MeshspecError;
}

describe('a correct binary', () => {
  it('is verified, cached, runnable, and not downloaded again', async () => {
    const first = await downloadVerified(minikubeRequest(), ctx());
    expect(first).toMatchObject({ fromCache: false, verifiedBy: 'checksum-file', sha256: sha256(stub('minikube')) });
    expect(first.path).toBe(`${bed.toolCache.root}/minikube/1.38.1/amd64/minikube`);
    expect(bed.logger.text('notice')).toContain('proves the download is intact, not who published it');

    const second = await downloadVerified(minikubeRequest(), ctx());
    expect(second).toMatchObject({ fromCache: true, path: first.path, verifiedBy: 'checksum-file' });
    expect(bed.server.count(minikubePath)).toBe(1);
    expect(bed.server.count(`${minikubePath}.sha256`)).toBe(1);

    const run = await runCommand(second.path, ['status', '--profile=x'], { logger: bed.logger, env: bed.env });
    expect(run.code).toBe(85); // the stub ran from the tool cache
  });

  it('from a .tar.gz: verified before unpacking, the named binary cached', async () => {
    const tool = await downloadVerified(
      {
        toolName: 'osm',
        version: 'v1.2.4',
        arch: 'amd64',
        url: githubReleaseUrl('openservicemesh/osm', 'v1.2.4', 'osm-v1.2.4-linux-amd64.tar.gz', bed.mirror),
        checksumUrl: githubReleaseUrl('openservicemesh/osm', 'v1.2.4', 'sha256sums.txt', bed.mirror),
        archivePath: 'linux-amd64/osm',
      },
      ctx(),
    );
    expect(tool.path).toBe(`${bed.toolCache.root}/osm/1.2.4/amd64/osm`);
    expect((await runCommand(tool.path, ['nope'], { logger: bed.logger, env: bed.env })).code).toBe(64);
  });

  it('matches a digest recorded in code (pinned default)', async () => {
    const tool = await downloadVerified({ ...minikubeRequest(), checksumUrl: undefined, sha256: sha256(stub('minikube')) }, ctx());
    expect(tool.verifiedBy).toBe('pinned');
    expect(bed.server.count(`${minikubePath}.sha256`)).toBe(0);
  });

  it("matches GitHub's Releases API digest where no checksum file exists", async () => {
    const tool = await downloadVerified(
      {
        toolName: 'linkerd',
        version: 'edge-26.8.3',
        arch: 'amd64',
        url: githubReleaseUrl('linkerd/linkerd2', 'edge-26.8.3', 'linkerd2-cli-edge-26.8.3-linux-amd64', bed.mirror),
        githubDigest: { repo: 'linkerd/linkerd2', tag: 'edge-26.8.3', asset: 'linkerd2-cli-edge-26.8.3-linux-amd64' },
      },
      { ...ctx(), githubToken: 'ghs_secret' },
    );
    expect(tool.verifiedBy).toBe('github-digest');
    expect(bed.server.count('/api.github.com/repos/linkerd/linkerd2/releases/tags/edge-26.8.3')).toBe(1);
  });
});

describe('a corrupted binary', () => {
  it('is refused with a message naming tool, version, URL and both digests, and nothing runs', async () => {
    publishGithubAsset(bed.server, {
      repo: 'kubernetes/minikube',
      tag: 'v1.38.1',
      asset: 'minikube-linux-amd64',
      body: Buffer.concat([stub('minikube'), Buffer.from('\n// tampered\n')]),
      vouchFor: stub('minikube'),
    });
    const error = await refusal(downloadVerified(minikubeRequest(), ctx()));
    expect(error.kind).toBe('infra');
    expect(error.message).toBe(`checksum mismatch: refused minikube v1.38.1 (amd64) downloaded from ${bed.mirror}${minikubePath}`);
    expect(error.details.join('\n')).toContain(`minikube v1.38.1: expected sha256 ${sha256(stub('minikube'))} (published checksum ${bed.mirror}${minikubePath}.sha256)`);
    expect(error.details.join('\n')).toMatch(/minikube v1.38.1: actual sha256 +[0-9a-f]{64}/);
    expect(error.details.join('\n')).toContain('nothing was run');
    expect(bed.toolCache.find('minikube', 'v1.38.1', 'amd64')).toBeUndefined();
    expect(bed.executed()).toEqual([]);
  });

  it('stops ensureCluster before minikube is ever run', async () => {
    publishGithubAsset(bed.server, { repo: 'kubernetes/minikube', tag: 'v1.38.1', asset: 'minikube-linux-amd64', body: '#!/bin/sh\necho pwned\n', vouchFor: stub('minikube') });
    const error = await refusal(
      ensureCluster({ cluster: 'minikube', logger: bed.logger, kubeconfig: bed.kubeconfig, download: { mirror: bed.mirror, toolCache: bed.toolCache }, env: bed.env, platform: PLATFORM }),
    );
    expect(error.message).toMatch(/^checksum mismatch: refused minikube v1.38.1/);
    expect(bed.commands()).toEqual([]);
    expect(bed.executed()).toEqual([]);
  });

  it('is caught by a digest recorded in code even when the mirror serves a matching .sha256', async () => {
    const tampered = Buffer.concat([stub('minikube'), Buffer.from('//x')]);
    publishGithubAsset(bed.server, { repo: 'kubernetes/minikube', tag: 'v1.38.1', asset: 'minikube-linux-amd64', body: tampered });
    const error = await refusal(downloadVerified({ ...minikubeRequest(), checksumUrl: undefined, sha256: sha256(stub('minikube')) }, ctx()));
    expect(error.details[0]).toContain('(digest recorded in meshspec)');
  });
});

describe('what cannot be verified', () => {
  const kuma = (): DownloadRequest => ({
    toolName: 'kumactl',
    version: '2.14.3',
    arch: 'amd64',
    url: `${bed.mirror}/packages.konghq.com/public/kuma-binaries-release/raw/names/kuma-linux-amd64/versions/2.14.3/kuma-2.14.3-linux-amd64.tar.gz`,
    archivePath: 'kuma-2.14.3/bin/kumactl',
  });

  it('is refused unless allow_unverified_download is set, and then warns', async () => {
    const error = await refusal(downloadVerified(kuma(), ctx()));
    expect(error.kind).toBe('input');
    expect(error.message).toContain('allow_unverified_download: true');
    expect(bed.server.count(new URL(kuma().url).pathname)).toBe(0);

    const tool = await downloadVerified({ ...kuma(), allowUnverified: true }, ctx());
    expect(tool.verifiedBy).toBe('unverified');
    expect(bed.logger.text('warn')).toMatch(/kumactl 2.14.3 \(amd64\): no checksum exists .* using it unverified/);
  });

  it('a cached unverified copy is not used once unverified downloads are no longer allowed', async () => {
    await downloadVerified({ ...kuma(), allowUnverified: true }, ctx());
    await refusal(downloadVerified(kuma(), ctx()));
  });

  it('an asset without a Releases API digest is refused', async () => {
    publishGithubAsset(bed.server, { repo: 'fortio/fortio', tag: 'v1.75.2', asset: 'fortio-linux_amd64-1.75.2.tgz', body: 'x', checksum: 'none' });
    const error = await refusal(
      downloadVerified(
        {
          toolName: 'fortio',
          version: 'v1.75.2',
          arch: 'amd64',
          url: githubReleaseUrl('fortio/fortio', 'v1.75.2', 'fortio-linux_amd64-1.75.2.tgz', bed.mirror),
          githubDigest: { repo: 'fortio/fortio', tag: 'v1.75.2', asset: 'fortio-linux_amd64-1.75.2.tgz' },
        },
        ctx(),
      ),
    );
    expect(error.message).toContain('GitHub gives no sha256 digest for fortio-linux_amd64-1.75.2.tgz');
  });

  it('a checksum file that does not list the asset, and a missing asset, are infra errors that say so', async () => {
    bed.server.put(`${minikubePath}.sha256`, `${'a'.repeat(64)}  minikube-darwin-amd64\n${'b'.repeat(64)}  other\n`);
    expect((await refusal(downloadVerified(minikubeRequest(), ctx()))).message).toBe(
      `minikube v1.38.1: ${bed.mirror}${minikubePath}.sha256 holds no sha256 for minikube-linux-amd64`,
    );
    bed.server.delete(minikubePath);
    publishGithubAsset(bed.server, { repo: 'kubernetes/minikube', tag: 'v1.38.1', asset: 'unrelated', body: 'x' });
    bed.server.put(`${minikubePath}.sha256`, 'a'.repeat(64));
    expect((await refusal(downloadVerified(minikubeRequest(), ctx()))).message).toBe(`download of ${bed.mirror}${minikubePath} failed: HTTP 404`);
  });

  it('refuses names and versions that could leave the tool cache', async () => {
    await expect(downloadVerified({ ...minikubeRequest(), version: '../../etc' }, ctx())).rejects.toThrow(/is not a version/);
    await expect(downloadVerified({ ...minikubeRequest(), toolName: '../minikube' }, ctx())).rejects.toThrow(/tool name/);
    await expect(downloadVerified({ ...minikubeRequest(), arch: 'x64/..' }, ctx())).rejects.toThrow(/architecture/);
  });
});
