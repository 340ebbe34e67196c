import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { cliIO } from '../support/cli-io.js';
import { report, startGammaBed, type GammaBed } from './bed.js';

// `meshspec gamma run` end to end on the test bed: flags, exit codes, the files.
let bed: GammaBed;
beforeEach(async () => {
  bed = await startGammaBed();
});
afterEach(async () => {
  await bed?.close();
});

async function gammaRun(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = cliIO({ cwd: bed.dir, env: { ...bed.env, RUNNER_TOOL_CACHE: path.join(bed.dir, 'cli-tool-cache'), RUNNER_TEMP: path.join(bed.dir, 'cli-tmp'), ...env }, logger: bed.logger });
  const code = await runCli(['gamma', 'run', '--kubeconfig', bed.fakeKubeconfig, '--mirror', bed.mirror, ...args], run.io);
  return { code, ...run };
}

describe('meshspec gamma run', () => {
  it('installs Linkerd for GAMMA, runs the suite, writes the files and the submission with its Reproduce workflow (exit 0)', async () => {
    const run = await gammaRun(['--mesh', 'linkerd', '--channel', 'standard', '--profiles', 'MESH-HTTP,MESH-GRPC'], {
      MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass',
      MESHSPEC_STUB_GO_REPORT: report('v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml'),
    });
    expect(run.code, run.all()).toBe(0);
    expect(run.stdout()).toMatch(/MESH-HTTP\s+success\s+7 \/ 0 \/ 0\s+success\s+8 \/ 0 \/ 0/);
    const readme = await readFile(path.join(bed.dir, 'meshspec-results/submission/conformance/reports/v1.3.0/linkerd-linkerd/README.md'), 'utf8');
    expect(readme).toMatch(/service_mesh: linkerd\n\s+mesh_version: edge-26\.8\.3\n\s+gateway_api_version: v1\.6\.1\n\s+gateway_api_channel: standard\n\s+profiles: MESH-HTTP,MESH-GRPC/);
    expect(bed.argvs()).toContainEqual(['linkerd', 'install', '--crds', '--set', 'installGatewayAPI=false']);
  });

  it('a failing suite exits 1; a crash without a report exits 3 with its last output', async () => {
    const failing = await gammaRun(['--mesh', 'linkerd'], {
      MESHSPEC_STUB_GO_TESTS: 'MeshHTTPRouteWeight=fail',
      MESHSPEC_STUB_GO_REPORT: report('edited-failing__v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml'),
    });
    expect(failing.code, failing.all()).toBe(1);
    expect(failing.stderr()).toMatch(/not conformant: MESH-HTTP core failed \(MeshHTTPRouteWeight\)/);
    const crash = await gammaRun(['--mesh', 'linkerd'], { MESHSPEC_STUB_GO_SCENARIO: 'crash', MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass,MeshTrafficSplit=pass' });
    expect(crash.code, crash.all()).toBe(3);
    expect(crash.stderr()).toMatch(/without writing a report[^]*panic: runtime error/);
  });

  it('bad input is exit 2, named: a mesh without GAMMA settings, a channel, a version, a profile', async () => {
    const cases: [string[], RegExp][] = [
      [['--mesh', 'osm'], /--mesh: Open Service Mesh has no GAMMA settings in meshspec; GAMMA runs know istio, linkerd, cilium/],
      [['--mesh', 'linkerd', '--channel', 'beta'], /--channel: "beta" is not a Gateway API channel/],
      [['--mesh', 'linkerd', '--gateway-api-version', 'main'], /--gateway-api-version: "main" is not a Gateway API release/],
      [['--mesh', 'linkerd', '--profiles', 'GATEWAY-HTTP'], /--profiles: GATEWAY-HTTP: the suite runs mesh conformance for MESH-HTTP and MESH-GRPC only/],
      [[], /--mesh is required/],
    ];
    for (const [args, message] of cases) {
      const run = await gammaRun(args);
      expect(run.code, run.all()).toBe(2);
      expect(run.stderr()).toMatch(message);
    }
    expect(bed.goCalls().filter((c) => c.argv[0] === 'test')).toEqual([]);
  });
});
