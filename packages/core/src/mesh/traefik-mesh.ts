import type { ControlPlaneSpec } from './control-plane.js';
import { chartTool, helmTool } from './helm.js';
import { MeshInstaller, type Step, type ToolPaths, type ToolRequirement } from './installer.js';

const NAMESPACE = 'traefik-mesh';
const RELEASE = 'traefik-mesh';
/** The chart moved to Traefik's shared repository (mesh-helm-chart#25); `traefik-mesh/traefik-mesh` in the docs is a typo. */
const REPO = 'https://traefik.github.io/charts';

/**
 * Traefik Mesh (archived; last release v1.4.8), installed from its Helm chart in ACL mode, which
 * is what makes it enforce TrafficTarget. The chart's own version differs from the mesh's, so the
 * newest chart whose appVersion is the mesh version is taken from the repository index.
 */
class TraefikMeshInstaller extends MeshInstaller {
  readonly meshId = 'traefik_mesh';
  override readonly versionExample = 'v1.4.8';
  readonly controlPlane: ControlPlaneSpec = { namespace: NAMESPACE, deployments: [{ namespace: NAMESPACE, name: 'traefik-mesh-controller' }] };

  tools(version: string): ToolRequirement[] {
    return [helmTool(), chartTool('chart', { repoUrl: REPO, chart: 'traefik-mesh', appVersion: version.startsWith('v') ? version : `v${version}` })];
  }

  installSteps(_version: string, tools: ToolPaths): Step[] {
    return [
      {
        tool: 'helm',
        args: ['install', RELEASE, tools.chart!, `--namespace=${NAMESPACE}`, '--create-namespace', '--set=acl=true'],
        what: 'helm install traefik-mesh',
      },
    ];
  }

  uninstallSteps(): Step[] {
    return [{ tool: 'helm', args: ['uninstall', RELEASE, `--namespace=${NAMESPACE}`], what: 'helm uninstall traefik-mesh' }];
  }
}

export const traefikMeshInstaller = new TraefikMeshInstaller();
