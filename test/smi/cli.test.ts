import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';
import { cliIO } from '../support/cli-io.js';
import { fakeCluster, namespacesLeft, type FakeCluster } from './helpers.js';

/** A CliIO that keeps what the command printed; `abortWhen` aborts the run when a log line matches. */
function io(options: { env?: NodeJS.ProcessEnv; abortWhen?: RegExp } = {}) {
  const controller = new AbortController();
  const logger = new MemoryLogger();
  if (options.abortWhen) {
    const info = logger.info.bind(logger);
    logger.info = (m: string) => {
      info(m);
      if (options.abortWhen!.test(m)) controller.abort(new Error('cancelled by SIGINT'));
    };
  }
  const t = cliIO({
    cwd: mkdtempSync(join(tmpdir(), 'meshspec-cwd-')),
    env: { HOME: mkdtempSync(join(tmpdir(), 'meshspec-home-')), ...options.env },
    signal: controller.signal,
    logger,
  });
  return { cli: t.io, stdout: t.stdout, stderr: t.stderr, logger };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

describe('meshspec smi run', () => {
  let faithful: FakeCluster;
  let faithfulConfig: string;
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-smi-cli-'));
  beforeAll(async () => {
    faithful = await fakeCluster('faithful');
    faithfulConfig = await faithful.writeKubeconfig(join(dir, 'faithful.kubeconfig'));
  });
  afterAll(async () => {
    await faithful?.close();
  });

  it('a conformant mesh: exit 0, the three files, a result that validates against the schema', async () => {
    const t = io();
    const out = join(dir, 'conformant');
    const code = await runCli(['smi', 'run', '--mesh', 'osm', '--mesh-version', 'v1.2.4', '--kubeconfig', faithfulConfig, '--out', out, '--mesh-deployed'], t.cli);
    expect(code, t.stderr()).toBe(0);
    expect(t.stdout()).toMatch(/traffic-access\s+PASSED\s+FULL\s+7\/7\s+access\.smi-spec\.io\/v1alpha3/);
    expect(t.stdout()).toMatch(/conformant: 28\/28 steps passed \(100\.00%\)/);

    const result = readJson(join(out, 'smi-result.json'));
    const validate = compileSchemaFile('smi-result.schema.json');
    expect(validate(result), errorsOf(validate).join('\n')).toBe(true);
    expect(result).toMatchObject({ mesh_name: 'Open Service Mesh', mesh_version: 'v1.2.4', cases_passed: '28', passing_percentage: '100.00', status: 'completed' });
    expect(result.more_details.map((d: Record<string, string>) => [d.smi_specification, d.smi_version, d.assertions, d.capability, d.status, d.result])).toEqual([
      ['traffic-access', 'auto/v1alpha3', '7', 'FULL', 'PASSED', 'All test passed'],
      ['traffic-spec', 'auto/v1alpha4', '6', 'FULL', 'PASSED', 'All test passed'],
      ['traffic-split', 'auto/v1alpha4', '11', 'FULL', 'PASSED', 'All test passed'],
      ['traffic-metrics', 'auto/v1alpha1', '4', 'FULL', 'PASSED', 'All test passed'],
    ]);
    // Meshery's values are strings, every one of them, as on its dashboard.
    for (const d of result.more_details) for (const v of Object.values(d)) expect(typeof v).toBe('string');
    expect(result.meshspec.api_versions).toEqual({
      TrafficTarget: 'access.smi-spec.io/v1alpha3',
      TCPRoute: 'specs.smi-spec.io/v1alpha4',
      HTTPRouteGroup: 'specs.smi-spec.io/v1alpha4',
      TrafficSplit: 'split.smi-spec.io/v1alpha4',
      TrafficMetrics: 'metrics.smi-spec.io/v1alpha1',
    });

    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(28);
    expect(junit).toContain('name="3-trafficDefault"');
    expect(junit).not.toContain('<failure');
    // The versions tested, in every <testsuite>'s properties and in the summary.
    expect(junit.match(/<property name="api_version.TrafficSplit" value="split.smi-spec.io\/v1alpha4"\/>/g)).toHaveLength(4);
    expect(junit).toContain('<property name="smi_version" value="auto"/>');
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('API versions tested (smi_version auto): TrafficTarget `access.smi-spec.io/v1alpha3`, TCPRoute `specs.smi-spec.io/v1alpha4`, HTTPRouteGroup `specs.smi-spec.io/v1alpha4`, TrafficSplit `split.smi-spec.io/v1alpha4`, TrafficMetrics `metrics.smi-spec.io/v1alpha1`');
    expect(summary).toMatch(/^## SMI conformance: Open Service Mesh v1\.2\.4 — ✅ conformant/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<title>Conformant: SMI conformance: Open Service Mesh v1.2.4</title>');
    expect(summary).toContain('| 3 | **trafficDefault**');
    expect(summary).toContain('passing_percentage = 28 / 28');
    expect(namespacesLeft(faithful)).toEqual([]);
  });

  it('like-for-like with Meshery: --specs traffic-access,traffic-specs,traffic-split scores 24 steps', async () => {
    const t = io();
    const out = join(dir, 'meshery24');
    const code = await runCli(['smi', 'run', '--mesh', 'osm', '--kubeconfig', faithfulConfig, '--out', out, '--specs', 'traffic-access,traffic-specs,traffic-split', '--mesh-deployed'], t.cli);
    expect(code, t.stderr()).toBe(0);
    const result = readJson(join(out, 'smi-result.json'));
    expect(result.cases_passed).toBe('24');
    expect(result.meshspec.cases_total).toBe(24);
    expect(result.more_details.map((d: { smi_specification: string }) => d.smi_specification)).toEqual(['traffic-access', 'traffic-spec', 'traffic-split']);
  });

  it('KUBECONFIG is used when --kubeconfig is not given', async () => {
    const t = io({ env: { KUBECONFIG: faithfulConfig } });
    const code = await runCli(['smi', 'run', '--mesh', 'osm', '--specs', 'traffic-access', '--out', join(dir, 'env'), '--mesh-deployed'], t.cli);
    expect(code, t.stderr()).toBe(0);
  });

  describe('against a mesh that ignores TrafficTarget sources', () => {
    let broken: FakeCluster;
    let brokenConfig: string;
    beforeAll(async () => {
      broken = await fakeCluster('ignore-traffictarget-sources');
      brokenConfig = await broken.writeKubeconfig(join(dir, 'broken.kubeconfig'));
    });
    afterAll(async () => {
      await broken?.close();
    });
    const args = (out: string) => ['smi', 'run', '--mesh', 'osm', '--kubeconfig', brokenConfig, '--out', join(dir, out), '--specs', 'traffic-access,traffic-spec', '--step-timeout', '2s', '--mesh-deployed'];

    it('not conformant: exit 1, the failure in every file', async () => {
      const t = io();
      expect(await runCli(args('broken'), t.cli)).toBe(1);
      expect(t.stderr()).toMatch(/not conformant: 10\/13 steps passed \(76\.92%\); not passed: traffic-access/);
      const result = readJson(join(dir, 'broken', 'smi-result.json'));
      const validate = compileSchemaFile('smi-result.schema.json');
      expect(validate(result), errorsOf(validate).join('\n')).toBe(true);
      expect(result.more_details[0]).toMatchObject({ status: 'FAILED', capability: 'HALF', reason: 'failed in step 5-trafficAllowed' });
      expect(result.more_details[0].result).toMatch(/admits only its sources/);
      expect(result.meshspec.specs[0].steps.map((s: { status: string }) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'failed', 'not-run', 'not-run']);
      const junit = readFileSync(join(dir, 'broken', 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testcase classname="smi\.traffic-access" name="5-trafficAllowed" time="[\d.]+">\s*<failure message="a TrafficTarget admits only its sources/);
      expect(junit.match(/<skipped message="not run: step 5-trafficAllowed failed"\/>/g)).toHaveLength(2);
      const summary = readFileSync(join(dir, 'broken', 'summary.md'), 'utf8');
      expect(summary).toMatch(/\| 5 \| \*\*trafficAllowed\*\*.*\| ❌ failed \| a TrafficTarget admits only its sources/);
      expect(summary).toContain('| 6 | **deleteTrafficTarget**');
    });

    it('--no-fail-on-nonconformance: exit 0, still reported', async () => {
      const t = io();
      expect(await runCli([...args('lenient'), '--no-fail-on-nonconformance'], t.cli)).toBe(0);
      expect(t.stdout()).toMatch(/not conformant: .*fail_on_nonconformance is false/);
    });

    it('--min-passing-percentage: a good-enough score passes, a higher bar fails', async () => {
      expect(await runCli([...args('min70'), '--min-passing-percentage', '70'], io().cli)).toBe(0);
      expect(await runCli([...args('min80'), '--min-passing-percentage', '80'], io().cli)).toBe(1);
    });
  });

  it('cancelled mid-run: exit 130, partial results marked cancelled, namespaces deleted', async () => {
    const t = io({ abortWhen: /^traffic-spec 3\/6/ });
    const out = join(dir, 'cancelled');
    const code = await runCli(['smi', 'run', '--mesh', 'osm', '--kubeconfig', faithfulConfig, '--out', out, '--mesh-deployed'], t.cli);
    expect(code).toBe(130);
    const result = readJson(join(out, 'smi-result.json'));
    const validate = compileSchemaFile('smi-result.schema.json');
    expect(validate(result), errorsOf(validate).join('\n')).toBe(true);
    expect(result.status).toBe('cancelled');
    expect(result.more_details.map((d: { status: string }) => d.status)).toEqual(['PASSED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(result.meshspec.specs[1].steps[3]).toMatchObject({ status: 'cancelled' });
    expect(result.meshspec.specs[2].steps[0]).toMatchObject({ status: 'not-run', reason: 'not run: the run was cancelled' });
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/⏹️ cancelled \(partial results\)/);
    expect(namespacesLeft(faithful)).toEqual([]);
  });

  it('bad input exits 2 and names the flag', async () => {
    let t = io();
    expect(await runCli(['smi', 'run', '--mesh', 'nosuchmesh', '--kubeconfig', faithfulConfig], t.cli)).toBe(2);
    expect(t.stderr()).toMatch(/--mesh: unknown service mesh "nosuchmesh"/);
    t = io();
    expect(await runCli(['smi', 'run', '--mesh', 'osm', '--kubeconfig', faithfulConfig, '--specs', 'traffic-access,traffic-sleep'], t.cli)).toBe(2);
    expect(t.stderr()).toMatch(/--specs: unknown SMI spec "traffic-sleep"; use any of traffic-access, traffic-spec, traffic-split, traffic-metrics/);
    t = io();
    expect(await runCli(['smi', 'run', '--mesh', 'osm', '--kubeconfig', join(dir, 'missing.kubeconfig')], t.cli)).toBe(2);
    expect(t.stderr()).toMatch(/--kubeconfig: kubeconfig file .*missing\.kubeconfig does not exist/);
    t = io();
    expect(await runCli(['smi', 'run', '--mesh', 'osm', '--kubeconfig', faithfulConfig, '--min-passing-percentage', '120'], t.cli)).toBe(2);
    expect(t.stderr()).toMatch(/--min-passing-percentage: "120" is not a percentage/);
    t = io();
    expect(await runCli(['smi', 'run', '--mesh', 'osm', '--kubeconfig', faithfulConfig, '--smi-version', '0.4'], t.cli)).toBe(2);
    expect(t.stderr()).toMatch(/--smi-version: unsupported SMI version "0.4"/);
    t = io();
    expect(await runCli(['smi', 'run', '--kubeconfig', faithfulConfig], t.cli)).toBe(2);
    expect(t.stderr()).toMatch(/--mesh is required/);
  });

  it('--context: the mesh is verified on that context, not the current one; an install there is refused (exit 2)', async () => {
    // The kubeconfig's current context is a dead server; --context names the fake cluster.
    const kc = yaml.load(faithful.kubeconfig) as { clusters: any[]; contexts: any[]; 'current-context': string };
    const live = kc['current-context'];
    kc.clusters.push({ name: 'dead', cluster: { server: 'http://127.0.0.1:9', 'insecure-skip-tls-verify': true } });
    kc.contexts.push({ name: 'dead', context: { cluster: 'dead', user: kc.contexts[0].context.user } });
    kc['current-context'] = 'dead';
    const config = join(dir, 'two-contexts.kubeconfig');
    writeFileSync(config, yaml.dump(kc));
    let t = io();
    const out = join(dir, 'context');
    const code = await runCli(['smi', 'run', '--mesh', 'osm', '--mesh-version', 'v1.2.4', '--mesh-deployed', '--context', live, '--kubeconfig', config, '--specs', 'traffic-access', '--out', out], t.cli);
    expect(code, t.stderr()).toBe(0);
    expect(readJson(join(out, 'smi-result.json'))).toMatchObject({ mesh_version: 'v1.2.4', cases_passed: '7' });
    t = io();
    expect(await runCli(['smi', 'run', '--mesh', 'osm', '--context', live, '--kubeconfig', config], t.cli)).toBe(2);
    expect(t.stderr()).toMatch(new RegExp(`--context ${live}: meshspec installs Open Service Mesh with its own tools, which act on the current context of .*two-contexts\\.kubeconfig \\(dead\\), not on ${live}\\. Switch to it first \\(kubectl config use-context ${live}\\), or install the mesh yourself and pass --mesh-deployed`));
  });

  it('an unreachable cluster exits 3, names the server and says what to do', async () => {
    const config = join(dir, 'unreachable.kubeconfig');
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    writeFileSync(
      config,
      faithful.kubeconfig.replace(/server: .*/, 'server: http://127.0.0.1:9'),
    );
    const t = io();
    expect(await runCli(['smi', 'run', '--mesh', 'osm', '--kubeconfig', config, '--mesh-deployed'], t.cli)).toBe(3);
    expect(t.stderr()).toMatch(/cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:9\/? \(context "fake-cluster", from .*unreachable\.kubeconfig\): .*ECONNREFUSED.*Check that the cluster is running/);
  });
});
