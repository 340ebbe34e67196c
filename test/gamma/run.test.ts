import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeshspecError } from '../../packages/core/src/errors.js';
import { publishGithubAsset } from '../support/release-server.mjs';
import { exists, readJson, report, runOn, startGammaBed, type GammaBed } from './bed.js';

let bed: GammaBed;
beforeEach(async () => {
  bed = await startGammaBed();
});
afterEach(async () => {
  await bed?.close();
});

const ISTIO_TESTS = 'MeshBasic=pass,MeshHTTPRouteWeight=pass,MeshConsumerRoute=pass,MeshFrontendHostname=skip';
const GO_TEST_HEAD = ['test', '-v', '-json', '-count=1', '-timeout', '2h', '-run', 'TestConformance', '.', '-args'];

async function namespaces(): Promise<string[]> {
  const core = bed.kube().makeApiClient(k8s.CoreV1Api);
  return (await core.listNamespace()).items.map((n) => n.metadata!.name!);
}

describe('gamma run: the command line, per mesh', () => {
  it('Istio (mesh_deployed): CRDs, then the exact go commands, flags from the registry, a verified module, clean namespaces', async () => {
    await bed.deployControlPlane('istio', '1.30.3');
    const outcome = await runOn(bed, {
      mesh: 'istio',
      deployed: true,
      env: {
        MESHSPEC_STUB_GO_TESTS: ISTIO_TESTS,
        MESHSPEC_STUB_GO_REPORT: report('v1.5__istio-istio__1.30.0-default-report.yaml'),
        // Whatever the runner's environment says, the run forces the public proxy and sumdb.
        GOPROXY: 'off',
        GOSUMDB: 'off',
        GONOSUMDB: '*',
        GOINSECURE: '*',
        GOPRIVATE: '*',
        GONOPROXY: '*',
        GOFLAGS: '-mod=mod',
      },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    const out = path.join(bed.dir, 'out');
    const calls = bed.goCalls();
    expect(calls.map((c) => c.argv.slice(0, 2))).toEqual([['version'], ['mod', 'tidy'], ['test', '-v']]);
    const test = bed.goTest();
    expect(test.argv).toEqual([
      ...GO_TEST_HEAD,
      '--conformance-profiles=MESH-HTTP',
      '--supported-features=MeshConsumerRoute,MeshHTTPRouteBackendRequestHeaderModification,MeshHTTPRouteNamedRouteRule,MeshHTTPRouteQueryParamMatching,MeshHTTPRouteRedirectPath,MeshHTTPRouteRedirectPort,MeshHTTPRouteRewritePath,MeshHTTPRouteSchemeRedirect,HTTPRouteResponseHeaderModification,HTTPRouteParentRefPort',
      '--exempt-features=Gateway,ReferenceGrant,MeshClusterIPMatching',
      '--namespace-labels=istio-injection=enabled',
      '--skip-tests=MeshFrontendHostname',
      `--report-output=${path.join(out, 'conformance-report.yaml')}`,
      '--organization=istio',
      '--project=istio',
      '--url=https://istio.io/',
      '--version=1.30.3',
      '--contact=@istio/maintainers',
      '--mode=default',
    ]);
    for (const call of calls.slice(1)) {
      expect(call.env).toMatchObject({ GOPROXY: 'https://proxy.golang.org,direct', GOSUMDB: 'sum.golang.org', GONOSUMDB: null, GOINSECURE: null, GOPRIVATE: null, GONOPROXY: null, GOFLAGS: null, GOTOOLCHAIN: 'local', KUBECONFIG: bed.fakeKubeconfig });
    }
    expect(test.goMod).toBe('module meshspec.local/gamma-conformance\n\ngo 1.26.0\n\nrequire (\n\tsigs.k8s.io/gateway-api v1.6.1\n\tsigs.k8s.io/gateway-api/conformance v1.6.1\n)\n');
    expect(test.testGo).toContain('func TestConformance(t *testing.T) { conformance.RunConformance(t) }');
    expect(test.testGo).toContain('"sigs.k8s.io/gateway-api/conformance"');
    expect(exists(test.cwd)).toBe(false); // the temporary module is removed

    // The CRDs went in first, from the verified release asset; the report is the suite's, byte for byte.
    expect(bed.logger.text()).toMatch(/standard-install\.yaml downloaded, verified by github-digest/);
    expect((await readFile(path.join(out, 'conformance-report.yaml'))).equals(await readFile(report('v1.5__istio-istio__1.30.0-default-report.yaml')))).toBe(true);
    const result = readJson(path.join(out, 'gamma-result.json'));
    expect(result.profiles.map((p: { name: string; core: { passed: number }; extended: { passed: number } }) => [p.name, p.core.passed, p.extended.passed])).toEqual([['MESH-HTTP', 7, 7]]);
    expect(outcome.gamma!.totals).toEqual({ core_passed: 7, core_failed: 0, extended_passed: 7, extended_failed: 0 });
    // report.html beside the result files, made from gamma-result.json (test/report/ opens it in Chromium).
    expect(outcome.gamma!.files.page).toBe(path.join(out, 'report.html'));
    expect(await readFile(path.join(out, 'report.html'), 'utf8')).toMatch(/<title>Success: GAMMA conformance: istio\/istio 1\.30\.[^<]*<\/title>/);
    const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('tests="4" failures="0" errors="0" skipped="1"');
    expect(junit).toMatch(/name="MeshFrontendHostname"[^]*<skipped message="conformance\.go:56: Skipping MeshFrontendHostname/);
    const readme = await readFile(path.join(out, 'submission/conformance/reports/v1.5/istio-istio/README.md'), 'utf8');
    expect(readme).toContain('service_mesh: istio');
    // The suite's namespaces (labelled for injection while they lived) are gone.
    expect(await namespaces()).not.toContain('gateway-conformance-mesh');
    expect(bed.logger.text()).toMatch(/deleted namespace gateway-conformance-mesh \(created by the conformance suite\)/);
  });

  it('Linkerd (installed): Gateway API CRDs before Linkerd, whose own Gateway API install is off; annotations for injection', async () => {
    const outcome = await runOn(bed, {
      mesh: 'linkerd',
      env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass,MeshGRPCRouteWeight=pass', MESHSPEC_STUB_GO_REPORT: report('v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml') },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    const text = bed.logger.text();
    expect(text.indexOf('applied')).toBeGreaterThan(-1);
    expect(text.indexOf('applied')).toBeLessThan(text.indexOf('linkerd install --crds'));
    expect(bed.argvs()).toContainEqual(['linkerd', 'install', '--crds', '--set', 'installGatewayAPI=false']);
    expect(bed.argvs().some((a) => a[0] === 'linkerd-smi')).toBe(false);
    expect(bed.goTest().argv.slice(GO_TEST_HEAD.length)).toEqual([
      '--conformance-profiles=MESH-HTTP,MESH-GRPC',
      '--supported-features=MeshClusterIPMatching,MeshConsumerRoute,MeshHTTPRouteBackendRequestHeaderModification,MeshHTTPRouteNamedRouteRule,MeshHTTPRouteQueryParamMatching,MeshHTTPRouteRedirectPort,MeshHTTPRouteSchemeRedirect,HTTPRouteResponseHeaderModification,HTTPRouteParentRefPort',
      '--exempt-features=Gateway,ReferenceGrant,MeshHTTPRouteRedirectPath,MeshHTTPRouteRewritePath',
      '--namespace-annotations=linkerd.io/inject=enabled',
      `--report-output=${path.join(bed.dir, 'out', 'conformance-report.yaml')}`,
      '--organization=Linkerd',
      '--project=Linkerd',
      '--url=https://github.com/linkerd/linkerd2',
      '--version=edge-26.8.3',
      '--contact=https://github.com/linkerd/linkerd2/blob/main/MAINTAINERS.md',
      '--mode=default',
    ]);
  });

  it('Cilium (mesh_deployed, not installed by meshspec): no injection marker, its version from mesh_version', async () => {
    const outcome = await runOn(bed, {
      mesh: 'cilium',
      deployed: true,
      meshVersion: 'v1.20.0',
      env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.6__cilium__standard-v1.20.0-default-report.yaml') },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    expect(bed.goTest().argv.slice(GO_TEST_HEAD.length)).toEqual([
      '--conformance-profiles=MESH-HTTP,MESH-GRPC',
      '--supported-features=MeshClusterIPMatching,MeshHTTPRouteBackendRequestHeaderModification,MeshHTTPRouteNamedRouteRule,MeshHTTPRouteQueryParamMatching,MeshHTTPRouteRedirectPath,MeshHTTPRouteRedirectPort,MeshHTTPRouteRewritePath,MeshHTTPRouteSchemeRedirect,HTTPRouteResponseHeaderModification',
      '--exempt-features=Gateway,ReferenceGrant,MeshConsumerRoute',
      `--report-output=${path.join(bed.dir, 'out', 'conformance-report.yaml')}`,
      '--organization=cilium',
      '--project=cilium',
      '--url=github.com/cilium/cilium',
      '--version=v1.20.0',
      '--contact=https://github.com/cilium/community/blob/main/roles/Maintainers.md',
      '--mode=default',
    ]);
    expect(outcome.gamma!.result.profiles.map((p) => p.name)).toEqual(['MESH-GRPC', 'MESH-HTTP']);
  });

  it('the experimental channel: its own install manifest, verified, and CRDs annotated experimental', async () => {
    const outcome = await runOn(bed, {
      mesh: 'cilium',
      deployed: true,
      meshVersion: 'v1.20.0',
      env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.6__cilium__experimental-v1.20.0-default-report.yaml') },
      options: { channel: 'experimental' },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    expect(bed.logger.text()).toMatch(/experimental-install\.yaml downloaded, verified by github-digest/);
    expect(bed.logger.text()).toMatch(/Gateway API CRDs: v1\.6\.1 experimental \(\d+ CRDs\), matching the suite/);
    const ext = bed.kube().makeApiClient(k8s.ApiextensionsV1Api);
    const xmesh = await ext.readCustomResourceDefinition({ name: 'xmeshes.gateway.networking.x-k8s.io' });
    expect(xmesh.metadata?.annotations?.['gateway.networking.k8s.io/channel']).toBe('experimental');
    expect(outcome.gamma!.files.submission).toMatch(/submission\/conformance\/reports\/v1\.6\/cilium-cilium$/);
  });

  it('every input overrides its registry default', async () => {
    await bed.deployControlPlane('istio', '1.30.3');
    const outcome = await runOn(bed, {
      mesh: 'istio',
      deployed: true,
      env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.5__istio-istio__1.30.0-default-report.yaml') },
      options: {
        overrides: {
          profiles: 'mesh-http, mesh-grpc',
          supported_features: 'MeshConsumerRoute MeshClusterIPMatching',
          exempt_features: 'MeshHTTPRouteRewritePath',
          skip_tests: 'MeshBasic,MeshPorts',
          organization: 'Example Org',
          project: 'istio-fork',
          url: 'https://github.com/example/istio',
          version: '1.30.3-example.1',
          contact: '@alice,@bob',
          mode: 'ambient',
        },
      },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    expect(bed.goTest().argv.slice(GO_TEST_HEAD.length)).toEqual([
      '--conformance-profiles=MESH-HTTP,MESH-GRPC',
      '--supported-features=MeshConsumerRoute,MeshClusterIPMatching',
      '--exempt-features=Gateway,ReferenceGrant,MeshHTTPRouteRewritePath',
      '--namespace-labels=istio-injection=enabled',
      '--skip-tests=MeshBasic,MeshPorts',
      `--report-output=${path.join(bed.dir, 'out', 'conformance-report.yaml')}`,
      '--organization=Example Org',
      '--project=istio-fork',
      '--url=https://github.com/example/istio',
      '--version=1.30.3-example.1',
      '--contact=@alice,@bob',
      '--mode=ambient',
    ]);
  });
});

describe('gamma run: the CRD version check', () => {
  it('CRDs of another version on the cluster (install_crds: false) stop the run before the suite, naming both versions (exit 2)', async () => {
    await bed.deployControlPlane('istio', '1.30.3');
    // The cluster already has v1.6.1 CRDs (standard); the run asks for v1.5.1.
    await runOn(bed, { mesh: 'istio', deployed: true, env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.5__istio-istio__1.30.0-default-report.yaml') } });
    bed.clearLog();
    const error = await runOn(bed, { mesh: 'istio', deployed: true, options: { gatewayApiVersion: 'v1.5.1', installCrds: false } }).catch((e) => e);
    expect(error).toBeInstanceOf(MeshspecError);
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/the cluster's Gateway API CRDs are v1\.6\.1, the suite is v1\.5\.1/);
    expect(bed.goCalls().some((c) => c.argv[0] === 'test')).toBe(false);
  });

  it('allow_crds_mismatch lets a mismatched run reach the suite with --allow-crds-mismatch, and warns', async () => {
    await bed.deployControlPlane('istio', '1.30.3');
    await runOn(bed, { mesh: 'istio', deployed: true, env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.5__istio-istio__1.30.0-default-report.yaml') } });
    bed.clearLog();
    const outcome = await runOn(bed, {
      mesh: 'istio',
      deployed: true,
      env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.5__istio-istio__1.30.0-default-report.yaml') },
      options: { gatewayApiVersion: 'v1.5.1', installCrds: false, overrides: { allow_crds_mismatch: true } },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    expect(bed.goTest().argv.at(-1)).toBe('--allow-crds-mismatch');
    expect(bed.goTest().goMod).toContain('sigs.k8s.io/gateway-api v1.5.1');
    expect(bed.logger.text()).toMatch(/going on because allow_crds_mismatch is set/);
  });

  it('CRDs of mixed versions on the cluster are refused, naming every version found', async () => {
    await bed.deployControlPlane('istio', '1.30.3');
    await runOn(bed, { mesh: 'istio', deployed: true, env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.5__istio-istio__1.30.0-default-report.yaml') } });
    const ext = bed.kube().makeApiClient(k8s.ApiextensionsV1Api);
    const crd = await ext.readCustomResourceDefinition({ name: 'httproutes.gateway.networking.k8s.io' });
    crd.metadata!.annotations!['gateway.networking.k8s.io/bundle-version'] = 'v1.6.0';
    await ext.replaceCustomResourceDefinition({ name: crd.metadata!.name!, body: crd });
    bed.clearLog();
    const strict = await runOn(bed, { mesh: 'istio', deployed: true, env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass' }, options: { installCrds: false } }).catch((e) => e);
    expect(strict.kind).toBe('input');
    expect(strict.message).toMatch(/CRDs are v1\.6\.0, v1\.6\.1, the suite is v1\.6\.1/);
    expect(bed.goCalls().some((c) => c.argv[0] === 'test')).toBe(false);
  });
});

describe('gamma run: failures', () => {
  it('a failing suite: exit 1 (test), with the failed test in junit.xml and the summary', async () => {
    const outcome = await runOn(bed, {
      mesh: 'linkerd',
      env: { MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass,MeshHTTPRouteWeight=fail', MESHSPEC_STUB_GO_REPORT: report('edited-failing__v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml') },
    });
    expect(outcome.failureKind).toBe('test');
    expect(outcome.failureMessage).toMatch(/MESH-HTTP core failed \(MeshHTTPRouteWeight\)/);
    expect(outcome.gamma!.totals).toEqual({ core_passed: 7, core_failed: 1, extended_passed: 8, extended_failed: 0 });
    const junit = await readFile(outcome.junitFile!, 'utf8');
    expect(junit).toContain('failures="1"');
    expect(junit).toMatch(/<testcase classname="gateway-api.conformance" name="MeshHTTPRouteWeight"[^>]*>\s*<failure message="got 61\/39 split, want 70\/30 within 5%"/);
    expect(await readFile(outcome.summaryFile!, 'utf8')).toMatch(/core failed: `MeshHTTPRouteWeight`/);
  });

  it('a suite that crashes without a report: infra (exit 3), with its last output', async () => {
    const diagnosed: { namespaces: string[]; existing: string[] }[] = [];
    const outcome = await runOn(bed, {
      mesh: 'linkerd',
      env: { MESHSPEC_STUB_GO_SCENARIO: 'crash', MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass,MeshTrafficSplit=pass', MESHSPEC_STUB_GO_REPORT: report('v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml') },
      options: { diagnose: async (ns) => void diagnosed.push({ namespaces: ns, existing: await namespaces() }) },
    });
    expect(outcome.failureKind).toBe('infra');
    // Diagnostics are taken while the suite's namespaces still exist, then they are deleted.
    expect(diagnosed).toHaveLength(1);
    expect(diagnosed[0]!.namespaces).toEqual(['gateway-conformance-mesh', 'gateway-conformance-mesh-consumer']);
    expect(diagnosed[0]!.existing).toContain('gateway-conformance-mesh');
    expect(outcome.failureMessage).toMatch(/ended \(go test exit 2\) without writing a report/);
    expect(outcome.failureMessage).toMatch(/panic: runtime error: invalid memory address/);
    expect(outcome.failureMessage).toMatch(/--- PASS: TestConformance\/MeshBasic/);
    expect(exists(path.join(bed.dir, 'out', 'gamma-result.json'))).toBe(false);
    const junit = await readFile(outcome.junitFile!, 'utf8');
    expect(junit).toMatch(/name="MeshTrafficSplit"[^>]*>\s*<error message="the test did not finish/);
    expect(await readFile(outcome.summaryFile!, 'utf8')).toMatch(/panic: runtime error/);
    expect(await namespaces()).not.toContain('gateway-conformance-mesh');
  });

  it('cancellation stops go, keeps what ran, cleans the namespaces: cancelled (130)', async () => {
    const controller = new AbortController();
    const timer = setInterval(() => {
      if (bed.logger.text().includes('waiting for the echo pods')) controller.abort(new Error('SIGTERM'));
    }, 20);
    try {
      const outcome = await runOn(bed, { mesh: 'linkerd', signal: controller.signal, env: { MESHSPEC_STUB_GO_SCENARIO: 'hang', MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass' } });
      expect(outcome.failureKind).toBe('cancelled');
      const junit = await readFile(outcome.junitFile!, 'utf8');
      expect(junit).toMatch(/name="MeshBasic"[^>]*>\s*<error message="the test did not finish/);
      expect(await namespaces()).not.toContain('gateway-conformance-mesh');
    } finally {
      clearInterval(timer);
    }
  });

  it('a tampered install manifest is refused before anything is applied', async () => {
    publishGithubAsset(bed.server, { repo: 'kubernetes-sigs/gateway-api', tag: 'v1.6.1', asset: 'standard-install.yaml', body: '# tampered\n', checksum: 'digest', vouchFor: 'the real bytes' });
    const error = await runOn(bed, { mesh: 'linkerd' }).catch((e) => e);
    expect(error.kind).toBe('infra');
    expect(error.message).toMatch(/checksum mismatch: refused gateway-api/);
    const ext = bed.kube().makeApiClient(k8s.ApiextensionsV1Api);
    expect((await ext.listCustomResourceDefinition()).items.filter((c) => c.spec.group === 'gateway.networking.k8s.io')).toEqual([]);
  });
});


describe('gamma run: the Go toolchain', () => {
  it('no go on PATH is an input error naming actions/setup-go, before the cluster is touched', async () => {
    const error = await runOn(bed, { mesh: 'linkerd', env: { PATH: '/usr/bin/nonexistent' } }).catch((e) => e);
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/go is not on PATH.*actions\/setup-go/);
    expect(bed.argvs().some((a) => a[0] === 'linkerd')).toBe(false);
  });

  it('a go older than 1.21 is an input error naming actions/setup-go', async () => {
    const error = await runOn(bed, { mesh: 'linkerd', env: { MESHSPEC_STUB_GO_VERSION: '1.20.14' } }).catch((e) => e);
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/Go 1\.20\.14, older than 1\.21.*actions\/setup-go/);
  });

  it('go 1.24 on PATH with $GOROOT_1_26_X64 present: the matching Go is used, GOTOOLCHAIN=local', async () => {
    const root = bed.goroot('1.26.6');
    const outcome = await runOn(bed, {
      mesh: 'linkerd',
      env: { MESHSPEC_STUB_GO_VERSION: '1.24.13', GOROOT_1_26_X64: root, MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml') },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    const test = bed.goTest();
    expect(test.self).toBe(path.join(root, 'bin', 'go'));
    expect(test.env).toMatchObject({ GOTOOLCHAIN: 'local', GOROOT: root });
    expect(bed.logger.text()).toMatch(/Go 1\.26\.6 from \$GOROOT_1_26_X64 \(the suite needs 1\.26\.0\)/);
  });

  it('go 1.24 on PATH and no matching Go: GOTOOLCHAIN=auto fetches go1.26.0 through the verified proxy, logged', async () => {
    const outcome = await runOn(bed, {
      mesh: 'linkerd',
      env: { MESHSPEC_STUB_GO_VERSION: '1.24.13', MESHSPEC_STUB_GO_TESTS: 'MeshBasic=pass', MESHSPEC_STUB_GO_REPORT: report('v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml') },
    });
    expect(outcome.failureKind, bed.logger.text()).toBe('none');
    expect(bed.goTest().env.GOTOOLCHAIN).toBe('auto');
    expect(bed.logger.text()).toMatch(/Go 1\.24\.13 from PATH is older than the 1\.26\.0 the suite needs: GOTOOLCHAIN=auto fetches go1\.26\.0 from https:\/\/proxy\.golang\.org, checked against sum\.golang\.org/);
    expect(bed.logger.text()).toMatch(/go: downloading go1\.26\.0/);
    expect(bed.logger.text()).toMatch(/go: downloading sigs\.k8s\.io\/gateway-api v1\.6\.1/);
  });
});
