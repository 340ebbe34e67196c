import { githubReleaseUrl } from '../download/mirror.js';
import type { ControlPlaneSpec } from './control-plane.js';
import { MeshInstaller, type Step, type ToolPaths, type ToolRequirement } from './installer.js';

const NAMESPACE = 'osm-system';
const MESH_NAME = 'osm';

/**
 * Open Service Mesh (archived by the CNCF; last release v1.2.4). The CLI carries the chart, and
 * `sha256sums.txt` on the release covers every archive. SMI needs permissive traffic policy mode
 * off, or OSM allows all traffic and TrafficTarget means nothing: that is an install argument.
 */
class OsmInstaller extends MeshInstaller {
  readonly meshId = 'osm';
  override readonly versionExample = 'v1.2.4';
  readonly controlPlane: ControlPlaneSpec = {
    namespace: NAMESPACE,
    deployments: ['osm-controller', 'osm-injector', 'osm-bootstrap'].map((name) => ({ namespace: NAMESPACE, name })),
  };

  tools(version: string): ToolRequirement[] {
    const tag = version.startsWith('v') ? version : `v${version}`;
    return [
      {
        key: 'osm',
        resolve: ({ platform, mirror }) => ({
          toolName: 'osm',
          version: tag,
          arch: platform.arch,
          url: githubReleaseUrl('openservicemesh/osm', tag, `osm-${tag}-${platform.os}-${platform.arch}.tar.gz`, mirror),
          checksumUrl: githubReleaseUrl('openservicemesh/osm', tag, 'sha256sums.txt', mirror),
          archivePath: `${platform.os}-${platform.arch}/osm`,
        }),
      },
    ];
  }

  installSteps(): Step[] {
    return [
      {
        tool: 'osm',
        args: ['install', `--mesh-name=${MESH_NAME}`, `--osm-namespace=${NAMESPACE}`, '--set=osm.enablePermissiveTrafficPolicy=false'],
        what: 'osm install',
      },
    ];
  }

  uninstallSteps(_version: string, _tools: ToolPaths): Step[] {
    return [
      {
        tool: 'osm',
        args: ['uninstall', 'mesh', `--mesh-name=${MESH_NAME}`, `--osm-namespace=${NAMESPACE}`, '--force', '--delete-namespace', '--delete-cluster-wide-resources'],
        what: 'osm uninstall mesh',
      },
    ];
  }
}

export const osmInstaller = new OsmInstaller();
