import { githubReleaseUrl } from '../download/mirror.js';
import { PATTERNS } from '../download/patterns.js';
import type { Platform } from '../cluster/platform.js';
import type { ControlPlaneSpec } from './control-plane.js';
import { MeshInstaller, type ClusterFacts, type SmiExtra, type Step, type ToolPaths, type ToolRequirement } from './installer.js';

const NAMESPACE = 'linkerd';
/** linkerd-smi, the extension that turns TrafficSplits into ServiceProfiles (TrafficSplit only). */
const LINKERD_SMI_VERSION = 'v0.2.7';

/** `linkerd2-cli-edge-26.8.3-linux-amd64`; darwin amd64 has no arch suffix, darwin arm64 has `-arm64`. */
export function linkerdAssetName(prefix: string, version: string, platform: Platform): string {
  const suffix = platform.os === 'darwin' ? (platform.arch === 'arm64' ? 'darwin-arm64' : 'darwin') : `${platform.os}-${platform.arch}`;
  return `${prefix}-${version}-${suffix}`;
}

/**
 * Linkerd stopped publishing `.sha256` files with edge-25.9.4 (linkerd2#14511). From then on the
 * digest comes from GitHub's Releases API; older edges and every stable release still have them.
 */
export function linkerdHasChecksumFile(version: string): boolean {
  const m = /^edge-(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) return true;
  const [y, mo, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y < 25 || (y === 25 && (mo < 9 || (mo === 9 && p <= 3)));
}

/**
 * Linkerd, from its edge releases (the last open-source stable is stable-2.14.10). Manifests are
 * rendered by the CLI and applied with kubectl, as Linkerd documents. Current Linkerd leaves the
 * Gateway API CRDs to the user; `installGatewayAPI=true` has its CRD chart install them.
 */
class LinkerdInstaller extends MeshInstaller {
  readonly meshId = 'linkerd';
  override readonly versionPattern = PATTERNS.linkerd;
  override readonly versionExample = 'edge-26.8.3';
  readonly controlPlane: ControlPlaneSpec = {
    namespace: NAMESPACE,
    deployments: ['linkerd-destination', 'linkerd-identity', 'linkerd-proxy-injector'].map((name) => ({ namespace: NAMESPACE, name })),
  };

  tools(version: string): ToolRequirement[] {
    return [
      {
        key: 'linkerd',
        resolve: ({ platform, mirror }) => {
          const asset = linkerdAssetName('linkerd2-cli', version, platform);
          const url = githubReleaseUrl('linkerd/linkerd2', version, asset, mirror);
          return {
            toolName: 'linkerd',
            version,
            arch: platform.arch,
            url,
            ...(linkerdHasChecksumFile(version) ? { checksumUrl: `${url}.sha256` } : { githubDigest: { repo: 'linkerd/linkerd2', tag: version, asset } }),
          };
        },
      },
    ];
  }

  /**
   * `linkerd install` refuses a cluster whose nodes run the docker runtime unless
   * `proxyInit.runAsRoot=true` (linkerd2 edge-26.8.3 `cli/cmd/install.go` installControlPlane,
   * `pkg/healthcheck/healthcheck.go` CheckNodesHaveNonDockerRuntime; linkerd2#7468): proxy-init
   * needs root to set up iptables there. minikube v1.38 still defaults to docker (through
   * cri-dockerd; containerd from v1.39). So meshspec sets it exactly when a node reports `docker://`,
   * and leaves minikube's runtime as it is.
   */
  installSteps(_version: string, _tools: ToolPaths, cluster: ClusterFacts): Step[] {
    const docker = cluster.nodeRuntimes.some((r) => r.startsWith('docker://'));
    return [
      { tool: 'linkerd', args: ['install', '--crds', '--set', 'installGatewayAPI=true'], pipeToKubectl: ['apply', '-f', '-'], what: 'linkerd install --crds' },
      {
        tool: 'linkerd',
        args: ['install', ...(docker ? ['--set', 'proxyInit.runAsRoot=true'] : [])],
        pipeToKubectl: ['apply', '-f', '-'],
        what: docker ? 'linkerd install (proxyInit.runAsRoot=true: a node runs the docker runtime)' : 'linkerd install',
      },
    ];
  }

  uninstallSteps(): Step[] {
    return [{ tool: 'linkerd', args: ['uninstall'], pipeToKubectl: ['delete', '--ignore-not-found', '-f', '-'], what: 'linkerd uninstall' }];
  }

  override smiExtras(): SmiExtra[] {
    const tag = LINKERD_SMI_VERSION;
    return [
      {
        name: `linkerd-smi ${tag}`,
        tools: [
          {
            key: 'linkerd-smi',
            resolve: ({ platform, mirror }) => {
              const url = githubReleaseUrl('linkerd/linkerd-smi', tag, linkerdAssetName('linkerd-smi', tag.replace(/^v/, ''), platform), mirror);
              return { toolName: 'linkerd-smi', version: tag, arch: platform.arch, url, checksumUrl: `${url}.sha256` };
            },
          },
        ],
        steps: () => [{ tool: 'linkerd-smi', args: ['install'], pipeToKubectl: ['apply', '-f', '-'], what: 'linkerd-smi install' }],
        deployments: [{ namespace: 'linkerd-smi', name: 'smi-adaptor' }],
      },
    ];
  }
}

export const linkerdInstaller = new LinkerdInstaller();
