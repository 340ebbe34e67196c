import { throughMirror } from '../download/mirror.js';
import type { ControlPlaneSpec } from './control-plane.js';
import { MeshInstaller, type Step, type ToolRequirement } from './installer.js';

const NAMESPACE = 'kuma-system';

/**
 * sha256 of the kumactl archives of pinned Kuma versions. Kuma publishes no checksum for its
 * binaries (they live on packages.konghq.com, not GitHub, so no Releases API digest either): a
 * version is accepted only when its digest is recorded here, or with allow_unverified_download.
 *
 * OPEN: the digests of 2.14.3 could not be read on the machine that wrote this (no network).
 * Record them as `'linux-amd64': '<hex>'` (the e2e log prints the sha256 of what it downloaded).
 */
const KUMA_PINNED_SHA256: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '2.14.3': {},
};

/** `https://packages.konghq.com/.../kuma-linux-amd64/versions/2.14.3/kuma-2.14.3-linux-amd64.tar.gz` */
function kumaArchiveUrl(version: string, os: string, arch: string): string {
  return `https://packages.konghq.com/public/kuma-binaries-release/raw/names/kuma-${os}-${arch}/versions/${version}/kuma-${version}-${os}-${arch}.tar.gz`;
}

/** Kuma, installed with kumactl's rendered control plane applied by kubectl, as Kuma documents. */
class KumaInstaller extends MeshInstaller {
  readonly meshId = 'kuma';
  override readonly versionExample = '2.14.3';
  readonly controlPlane: ControlPlaneSpec = { namespace: NAMESPACE, deployments: [{ namespace: NAMESPACE, name: 'kuma-control-plane' }] };

  tools(versionInput: string): ToolRequirement[] {
    // Kuma's tags are inconsistent (`v2.14.3`, `2.9.19`); its package URLs never have the `v`.
    const version = versionInput.replace(/^v/, '');
    return [
      {
        key: 'kumactl',
        resolve: ({ platform, mirror }) => {
          const pinned = KUMA_PINNED_SHA256[version]?.[`${platform.os}-${platform.arch}`];
          return {
            toolName: 'kumactl',
            version,
            arch: platform.arch,
            url: throughMirror(kumaArchiveUrl(version, platform.os, platform.arch), mirror),
            archivePath: `kuma-${version}/bin/kumactl`,
            ...(pinned ? { sha256: pinned } : {}),
          };
        },
      },
    ];
  }

  installSteps(): Step[] {
    return [{ tool: 'kumactl', args: ['install', 'control-plane'], pipeToKubectl: ['apply', '-f', '-'], what: 'kumactl install control-plane' }];
  }

  uninstallSteps(): Step[] {
    return [{ tool: 'kumactl', args: ['install', 'control-plane'], pipeToKubectl: ['delete', '--ignore-not-found', '-f', '-'], what: 'remove the Kuma control plane' }];
  }
}

export const kumaInstaller = new KumaInstaller();
