import type { ControlPlaneSpec } from './control-plane.js';
import { chartTool, helmTool } from './helm.js';
import { MeshInstaller, type Step, type ToolPaths, type ToolRequirement } from './installer.js';

const NAMESPACE = 'kuma-system';
const RELEASE = 'kuma';
const KUMA_CHART_REPO = 'https://kumahq.github.io/charts';

/**
 * The sha256 of Kuma's Helm chart archives, as kumahq/charts' `index.yaml` (branch gh-pages, commit
 * 3caab9d7562f4668bc3687b34dfbc8bb0f80f438, 2025-06-10) records them. Kuma publishes no checksum
 * for its kumactl binaries, so meshspec installs Kuma from this chart, whose digest is published,
 * instead (which moved the pinned Kuma from 2.14.3 to 2.11.0, the newest chart in that index).
 */
export const KUMA_CHART_PINNED_SHA256: Readonly<Record<string, string>> = {
  '2.11.0': 'ed9e1452df5c4be1f53fc57b90d774ee4acf71119d08ae58be8cf3cff3f46ecb',
};

/** Kuma, from its Helm chart (as Kuma documents for Kubernetes), verified against the pinned digest. */
class KumaInstaller extends MeshInstaller {
  readonly meshId = 'kuma';
  override readonly versionExample = '2.11.0';
  readonly controlPlane: ControlPlaneSpec = { namespace: NAMESPACE, deployments: [{ namespace: NAMESPACE, name: 'kuma-control-plane' }] };

  tools(versionInput: string): ToolRequirement[] {
    // Kuma's tags are inconsistent (`v2.14.3`, `2.9.19`); its chart versions never have the `v`.
    const version = versionInput.replace(/^v/, '');
    return [helmTool(), chartTool('chart', { repoUrl: KUMA_CHART_REPO, chart: 'kuma', version, pinnedSha256: KUMA_CHART_PINNED_SHA256[version] })];
  }

  installSteps(_version: string, tools: ToolPaths): Step[] {
    return [{ tool: 'helm', args: ['install', RELEASE, tools.chart!, `--namespace=${NAMESPACE}`, '--create-namespace'], what: 'helm install kuma' }];
  }

  uninstallSteps(): Step[] {
    return [{ tool: 'helm', args: ['uninstall', RELEASE, `--namespace=${NAMESPACE}`], what: 'helm uninstall kuma' }];
  }
}

export const kumaInstaller = new KumaInstaller();
