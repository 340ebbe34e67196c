import yaml from 'js-yaml';
import { findMesh } from '../mesh/registry.js';
import type { ConformanceReport } from './report.js';

/** What a user writes in `uses:` for the GAMMA action (README, the submission's Reproduce section). */
const GAMMA_ACTION_REF = 'meshspec/meshspec/gamma-conformance-action@v0';

/**
 * A complete workflow that runs gamma-conformance-action with these inputs on a release tag: the
 * "Reproduce" section upstream asks of every submitted report.
 */
export function reproduceWorkflow(inputs: Record<string, string | undefined>): string {
  const withBlock = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined && v !== ''));
  const workflow = {
    name: 'Gateway API mesh conformance',
    on: { push: { tags: ['v*'] } },
    permissions: { contents: 'read' },
    jobs: {
      gamma: {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 150,
        steps: [{ name: 'GAMMA conformance', uses: GAMMA_ACTION_REF, with: withBlock }],
      },
    },
  };
  return yaml.dump(workflow, { lineWidth: -1, noRefs: true, quotingType: "'" });
}

/** For `gamma report`: the run that would reproduce a report, from what the report says. */
export function reproduceFromReport(report: ConformanceReport): { text: string; workflow: string } {
  const impl = report.implementation;
  const mesh = findMesh(impl.project);
  const workflow = reproduceWorkflow({
    service_mesh: mesh?.id ?? impl.project.toLowerCase(),
    mesh_version: impl.version,
    gateway_api_version: report.gatewayAPIVersion,
    gateway_api_channel: report.gatewayAPIChannel,
    mode: report.mode,
    organization: impl.organization,
    project: impl.project,
    url: impl.url,
    contact: (impl.contact ?? []).join(','),
  });
  const text =
    `This report was produced by the unmodified Gateway API conformance suite at ${report.gatewayAPIVersion}. ` +
    'The workflow below runs the same suite against the same implementation version on a fresh minikube cluster ' +
    `with [gamma-conformance-action](https://github.com/meshspec/meshspec/tree/main/gamma-conformance-action)` +
    (mesh?.gamma && mesh.installer ? '.' : `; ${impl.project} is not one of the meshes the action installs, so install it in an earlier step and set \`mesh_deployed: true\`.`);
  return { text, workflow };
}
