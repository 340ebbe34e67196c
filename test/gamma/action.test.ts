import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBinaries, runActionBundle } from '../support/action-runner.mjs';
import { requires } from '../support/requires.mjs';
import { report, startGammaBed, type GammaBed } from './bed.js';

/**
 * gamma-conformance-action's bundle under the runner protocol (INPUT_* variables, output, summary
 * and state files, then the post step), on Node 20 and Node 24, with the stub go on PATH, the fake
 * cluster and the release server as download mirror. Build it first: npm run build.
 */
const root = path.resolve(import.meta.dirname, '../..');
const bundle = path.join(root, 'gamma-conformance-action/dist/index.js');

let bed: GammaBed;
beforeAll(async () => {
  bed = await startGammaBed();
  await bed.deployControlPlane('istio', '1.30.3');
});
afterAll(async () => {
  await bed?.close();
});

function runAction(inputs: Record<string, string>, env: Record<string, string> = {}, more: Partial<Parameters<typeof runActionBundle>[0]> = {}) {
  return runActionBundle({
    bundle,
    inputs: { service_mesh: 'istio', mesh_deployed: 'true', kubeconfig: bed.fakeKubeconfig, download_mirror: bed.mirror, github_token: '', upload_artifact: 'false', ...inputs },
    env: {
      PATH: `${bed.bin}:${process.env.PATH}`,
      MESHSPEC_STUBS_DIR: bed.env.MESHSPEC_STUBS_DIR,
      MESHSPEC_STUB_LOG: bed.env.MESHSPEC_STUB_LOG,
      MESHSPEC_STUB_STATE: bed.env.MESHSPEC_STUB_STATE,
      MESHSPEC_STUB_CLUSTER_URL: bed.env.MESHSPEC_STUB_CLUSTER_URL,
      MESHSPEC_STUB_CLUSTER_TOKEN: bed.env.MESHSPEC_STUB_CLUSTER_TOKEN,
      ...env,
    },
    ...more,
  });
}

const ISTIO = { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass,MeshFrontendHostname=skip', MESHSPEC_STUB_GO_REPORT: report('v1.5__istio-istio__1.30.0-default-report.yaml') };

describe('gamma-conformance-action: the bundle under the runner protocol', () => {
  beforeAll(() => {
    expect(existsSync(bundle), `${bundle} is missing: run npm run build`).toBe(true);
  });

  for (const bin of nodeBinaries()) {
    it(`${bin.label}: a conformant mesh → exit 0, every output, the summary, the files`, async (ctx) => {
      requires(ctx, bin.skipReason);
      const run = await runAction({}, ISTIO, { node: bin.path });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const out = path.join(run.workspace, 'meshspec-results');
      expect(run.outputs).toEqual({
        result: 'success',
        core_passed: '7',
        core_failed: '0',
        extended_passed: '7',
        extended_failed: '0',
        report_file: path.join(out, 'conformance-report.yaml'),
        result_file: path.join(out, 'gamma-result.json'),
        submission_dir: path.join(out, 'submission/conformance/reports/v1.5/istio-istio'),
        mesh_version: '1.30.3',
        output_dir: out,
        failure_kind: 'none',
        // No comment or release asks here: the shared step still says so in its outputs.
        comment_url: '',
        release_assets: '[]',
      });
      expect(run.summary.startsWith(readFileSync(path.join(out, 'summary.md'), 'utf8').trimEnd())).toBe(true);
      expect(run.summary).toMatch(/\| MESH-HTTP \| ✅ success \| 7 \/ 0 \/ 0 \| ✅ success \| 7 \/ 0 \/ 0 \|/);
      // report.html is written beside the results, and the summary points at it.
      expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<title>Success: GAMMA conformance: ');
      expect(run.summary).toContain('`report.html`');
      expect(run.summary).toMatch(/### Phases[^]*\| Gateway API CRDs v1\.6\.1 \(standard\) \| [\d.]+ s \|[^]*\| Gateway API conformance suite \| [\d.]+ s \|/);
      expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('<skipped message="conformance.go:56: Skipping MeshFrontendHostname');
      expect(run.post?.code).toBe(0);
    });
  }

  it('a failing suite → exit 1, failure_kind=test, the counts as outputs', async () => {
    const run = await runAction({}, { MESHSPEC_STUB_GO_TESTS: 'MeshHTTPRouteWeight=fail', MESHSPEC_STUB_GO_REPORT: report('edited-failing__v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml') }, { post: false });
    expect(run.code).toBe(1);
    // Istio asks for MESH-HTTP only: MESH-GRPC's passed test is not counted.
    expect(run.outputs).toMatchObject({ result: 'failure', failure_kind: 'test', core_passed: '6', core_failed: '1', extended_passed: '8', extended_failed: '0' });
    expect(run.stdout).toMatch(/::error::not conformant: MESH-HTTP core failed \(MeshHTTPRouteWeight\)/);
  });

  it('a partial report warns (exit 0) unless require_success', async () => {
    const partial = { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.5__cilium__experimental-v1.20.0-pre.2-default-report.yaml') };
    const warned = await runAction({ profiles: 'MESH-HTTP,MESH-GRPC' }, partial, { post: false });
    expect(warned.code, warned.stdout).toBe(0);
    expect(warned.outputs).toMatchObject({ result: 'partial', failure_kind: 'none' });
    expect(warned.stdout).toMatch(/::warning::partial: MESH-GRPC core, MESH-HTTP core, MESH-HTTP extended skipped tests/);
    const strict = await runAction({ profiles: 'MESH-HTTP,MESH-GRPC', require_success: 'true' }, partial, { post: false });
    expect(strict.code).toBe(1);
    expect(strict.outputs).toMatchObject({ result: 'partial', failure_kind: 'test' });
  });

  it('a suite that crashes without a report → failure_kind=infra, its last output in the log and the summary', async () => {
    const run = await runAction({}, { MESHSPEC_STUB_GO_SCENARIO: 'crash', MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass,MeshTrafficSplit=pass' }, { post: false });
    expect(run.code).toBe(1);
    expect(run.outputs.failure_kind).toBe('infra');
    expect(run.stdout).toMatch(/::error::the conformance suite ended \(go test exit 2\) without writing a report/);
    expect(run.summary).toMatch(/panic: runtime error: invalid memory address/);
  });

  it('bad input → failure_kind=input, naming the input: no go, an old Kubernetes, a mesh without GAMMA, a new cluster for a deployed mesh', async () => {
    const noGo = await runAction({}, { PATH: path.dirname(process.execPath) }, { post: false });
    expect(noGo.outputs.failure_kind).toBe('input');
    expect(noGo.stdout).toMatch(/::error::go is not on PATH.*actions\/setup-go/);
    const oldKube = await runAction({ kubernetes_version: 'v1.29.4' }, {}, { post: false });
    expect(oldKube.outputs.failure_kind).toBe('input');
    expect(oldKube.stdout).toMatch(/::error::input kubernetes_version: v1\.29\.4 is too old for GAMMA/);
    const osm = await runAction({ service_mesh: 'osm' }, {}, { post: false });
    expect(osm.outputs.failure_kind).toBe('input');
    expect(osm.stdout).toMatch(/::error::input service_mesh: Open Service Mesh has no GAMMA settings/);
    // mesh_deployed: true says the mesh runs on a cluster already: a new minikube cannot be it.
    const minikube = await runAction({ cluster: 'minikube' }, {}, { post: false });
    expect(minikube.outputs.failure_kind).toBe('input');
    expect(minikube.stdout).toMatch(/::error::input mesh_deployed is true, but cluster: minikube starts a new cluster, which has no mesh yet/);
  });

  it('SIGTERM while the suite runs → failure_kind=cancelled, the suite\'s namespaces removed', async () => {
    const run = await runAction({}, { MESHSPEC_STUB_GO_SCENARIO: 'hang', MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass' }, { signalWhen: 'waiting for the echo pods', signal: 'SIGTERM', post: false });
    expect(run.code).toBe(1);
    expect(run.outputs.failure_kind).toBe('cancelled');
    expect(run.stdout).toMatch(/deleted namespace gateway-conformance-mesh/);
  });
});
