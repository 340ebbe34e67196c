import { githubReleaseUrl, throughMirror } from '../download/mirror.js';
import type { ControlPlaneSpec } from './control-plane.js';
import { MeshInstaller, type SmiExtra, type Step, type ToolRequirement } from './installer.js';

const NAMESPACE = 'istio-system';

/**
 * smi-adapter-istio's only manifest, pinned to a commit of its (dead since 2020) repository. It
 * publishes no checksum, so it is fetched only with allow_unverified_download, and only on a
 * cluster that still serves apiextensions.k8s.io/v1beta1, i.e. never on Kubernetes 1.22 or newer.
 */
const SMI_ADAPTER_MANIFEST =
  'https://raw.githubusercontent.com/servicemeshinterface/smi-adapter-istio/bc13b43c16290efef2bfa73b7b4fdc2287544b19/deploy/kubernetes-manifests.yaml';

/** Istio, installed with istioctl's minimal profile (istiod only: enough for sidecar injection). */
class IstioInstaller extends MeshInstaller {
  readonly meshId = 'istio';
  override readonly versionExample = '1.30.3';
  readonly controlPlane: ControlPlaneSpec = { namespace: NAMESPACE, deployments: [{ namespace: NAMESPACE, name: 'istiod' }] };

  tools(versionInput: string): ToolRequirement[] {
    const version = versionInput.replace(/^v/, '');
    return [
      {
        key: 'istioctl',
        resolve: ({ platform, mirror }) => {
          // Istio calls macOS "osx" in asset names.
          const asset = `istioctl-${version}-${platform.os === 'darwin' ? 'osx' : platform.os}-${platform.arch}.tar.gz`;
          const url = githubReleaseUrl('istio/istio', version, asset, mirror);
          return { toolName: 'istioctl', version, arch: platform.arch, url, checksumUrl: `${url}.sha256`, archivePath: 'istioctl' };
        },
      },
    ];
  }

  installSteps(): Step[] {
    return [{ tool: 'istioctl', args: ['install', '--skip-confirmation', '--set', 'profile=minimal'], what: 'istioctl install' }];
  }

  uninstallSteps(): Step[] {
    return [{ tool: 'istioctl', args: ['uninstall', '--purge', '--skip-confirmation'], what: 'istioctl uninstall' }];
  }

  override smiExtras(): SmiExtra[] {
    return [
      {
        name: 'smi-adapter-istio',
        requiresApi: 'apiextensions.k8s.io/v1beta1',
        tools: [
          {
            key: 'smi-adapter-manifest',
            resolve: ({ platform, mirror }) => ({
              toolName: 'smi-adapter-istio',
              version: 'v0.1.0',
              arch: platform.arch,
              url: throughMirror(SMI_ADAPTER_MANIFEST, mirror),
              binaryName: 'smi-adapter-istio.yaml',
            }),
          },
        ],
        steps: (tools) => [{ tool: 'kubectl', args: ['apply', '-f', tools['smi-adapter-manifest']!], what: 'apply smi-adapter-istio' }],
        deployments: [{ namespace: NAMESPACE, name: 'smi-adapter-istio' }],
      },
    ];
  }
}

export const istioInstaller = new IstioInstaller();
