import type { ControlPlaneSpec } from './control-plane.js';
import { chartTool, helmTool } from './helm.js';
import { MeshInstaller, type MeshSettings, type Step, type ToolPaths, type ToolRequirement } from './installer.js';

const NAMESPACE = 'traefik-mesh';
const RELEASE = 'traefik-mesh';
/**
 * The chart moved to Traefik's shared repository (mesh-helm-chart#25); `traefik-mesh/traefik-mesh`
 * in the docs is a typo. Which chart version there carries appVersion v1.4.8 could not be confirmed
 * from here, so the repository and the chart version are inputs (traefik_mesh_chart_repo,
 * traefik_mesh_chart_version), and e2e confirms the default.
 */
export const TRAEFIK_MESH_CHART_REPO = 'https://traefik.github.io/charts';

/**
 * Traefik Mesh (archived; last release v1.4.8), installed from its Helm chart in ACL mode, which
 * is what makes it enforce TrafficTarget. The chart's own version differs from the mesh's, so the
 * newest chart whose appVersion is the mesh version is taken from the repository index.
 */
class TraefikMeshInstaller extends MeshInstaller {
  readonly meshId = 'traefik_mesh';
  override readonly versionExample = 'v1.4.8';
  readonly controlPlane: ControlPlaneSpec = { namespace: NAMESPACE, deployments: [{ namespace: NAMESPACE, name: 'traefik-mesh-controller' }] };

  tools(version: string, settings: MeshSettings = {}): ToolRequirement[] {
    const repoUrl = settings.chartRepo || TRAEFIK_MESH_CHART_REPO;
    const chart = settings.chartVersion
      ? chartTool('chart', { repoUrl, chart: 'traefik-mesh', version: settings.chartVersion, hint: 'set traefik_mesh_chart_version to a version the index lists' })
      : chartTool('chart', { repoUrl, chart: 'traefik-mesh', appVersion: version.startsWith('v') ? version : `v${version}`, hint: 'set traefik_mesh_chart_repo or traefik_mesh_chart_version' });
    return [helmTool(), chart];
  }

  installSteps(_version: string, tools: ToolPaths): Step[] {
    return [
      {
        tool: 'helm',
        // ACL mode is what enforces TrafficTarget; the chart also deploys Jaeger, Prometheus and
        // Grafana by default (tracing.deploy, metrics.deploy), too heavy for a 2-CPU runner and unused here.
        args: ['install', RELEASE, tools.chart!, `--namespace=${NAMESPACE}`, '--create-namespace', '--set=acl=true', '--set=tracing.deploy=false', '--set=metrics.deploy=false'],
        what: 'helm install traefik-mesh',
      },
    ];
  }

  uninstallSteps(): Step[] {
    return [{ tool: 'helm', args: ['uninstall', RELEASE, `--namespace=${NAMESPACE}`], what: 'helm uninstall traefik-mesh' }];
  }
}

export const traefikMeshInstaller = new TraefikMeshInstaller();
