import type { ControlPlaneSpec } from './control-plane.js';
import { chartTool, helmTool } from './helm.js';
import { MeshInstaller, type SmiExtra, type Step, type ToolPaths, type ToolRequirement } from './installer.js';

const NAMESPACE = 'consul';
const RELEASE = 'consul';

/**
 * Consul service mesh from the hashicorp/consul chart; the mesh version is the chart's version
 * (= consul-k8s, the image tag of the connect injector). One server is enough for a test cluster.
 */
class ConsulInstaller extends MeshInstaller {
  readonly meshId = 'consul';
  override readonly versionExample = '2.0.3';
  readonly controlPlane: ControlPlaneSpec = { namespace: NAMESPACE, deployments: [{ namespace: NAMESPACE, name: 'consul-connect-injector' }] };

  tools(version: string): ToolRequirement[] {
    return [helmTool(), chartTool('chart', { repoUrl: 'https://helm.releases.hashicorp.com', chart: 'consul', version: version.replace(/^v/, '') })];
  }

  installSteps(_version: string, tools: ToolPaths): Step[] {
    return [
      {
        tool: 'helm',
        args: [
          'install',
          RELEASE,
          tools.chart!,
          `--namespace=${NAMESPACE}`,
          '--create-namespace',
          '--set=global.name=consul',
          '--set=connectInject.enabled=true',
          '--set=server.replicas=1',
          '--set=ui.enabled=false',
        ],
        what: 'helm install consul',
      },
    ];
  }

  uninstallSteps(): Step[] {
    return [{ tool: 'helm', args: ['uninstall', RELEASE, `--namespace=${NAMESPACE}`], what: 'helm uninstall consul' }];
  }

  override smiExtras(): SmiExtra[] {
    return [
      {
        name: 'consul-smi-controller',
        requiresApi: 'apiextensions.k8s.io/v1beta1',
        steps: () => [],
        unavailable:
          'consul-smi-controller (v0.0.0-alpha.2, 2019) uses apiextensions.k8s.io/v1beta1 CRDs, which Kubernetes 1.22 and newer do not serve, maps only TrafficTarget and needs an ACL token; meshspec does not install it',
      },
    ];
  }
}

export const consulInstaller = new ConsulInstaller();
