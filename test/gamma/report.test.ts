import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { cliIO } from '../support/cli-io.js';
import { fixturePath } from '../support/fixtures.mjs';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';

const FIXTURES = fixturePath('gamma-reports');
const fixture = (name: string) => path.join(FIXTURES, name);

type Level = [result: string, passed: number, failed: number, skipped: number];
interface Expected {
  result: string;
  exit: number;
  version: string;
  channel: string | null;
  folder: string;
  reportName: string;
  profiles: Record<string, { core: Level; extended: Level | null; failed?: string[]; skipped?: string[]; unsupported?: string[] }>;
}

/**
 * What each real report holds, read off the YAML by hand: `gamma report` must give exactly these
 * results and counts (default profiles MESH-HTTP, MESH-GRPC, MESH).
 */
const EXPECTED: Record<string, Expected> = {
  'v1.0.0__kumahq-kuma__2.6.0-report.yaml': {
    result: 'success', exit: 0, version: 'v1.0.0', channel: null, folder: 'v1.0.0/kumahq-kuma', reportName: '2.6.0-report.yaml',
    profiles: { MESH: { core: ['success', 2, 0, 0], extended: ['success', 4, 0, 0], unsupported: ['HTTPRouteRequestMultipleMirrors', 'HTTPRouteRequestTimeout', 'HTTPRouteBackendTimeout'] } },
  },
  'v1.0.0__istio-istio__1.20-report.yaml': {
    result: 'partial', exit: 0, version: 'v1.0.0', channel: null, folder: 'v1.0.0/istio-istio', reportName: '1.20-report.yaml',
    profiles: { MESH: { core: ['success', 2, 0, 0], extended: ['partial', 3, 0, 1], skipped: ['MeshFrontendHostname'] } },
  },
  'v1.1.0__istio-istio__experimental-1.22-default-report.yaml': {
    result: 'success', exit: 0, version: 'v1.1.0', channel: 'experimental', folder: 'v1.1.0/istio-istio', reportName: 'experimental-1.22-default-report.yaml',
    profiles: { 'MESH-HTTP': { core: ['success', 2, 0, 0], extended: ['success', 3, 0, 0] } },
  },
  'v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml': {
    result: 'success', exit: 0, version: 'v1.3.0', channel: 'standard', folder: 'v1.3.0/linkerd-linkerd', reportName: 'standard-version-2.18-default-report.yaml',
    profiles: {
      'MESH-GRPC': { core: ['success', 1, 0, 0], extended: null },
      'MESH-HTTP': { core: ['success', 7, 0, 0], extended: ['success', 8, 0, 0], unsupported: ['MeshHTTPRouteRedirectPath', 'MeshHTTPRouteRewritePath'] },
    },
  },
  'edited-failing__v1.3.0__linkerd-linkerd__standard-2.18-default-report.yaml': {
    result: 'failure', exit: 1, version: 'v1.3.0', channel: 'standard', folder: 'v1.3.0/linkerd-linkerd', reportName: 'standard-version-2.18-default-report.yaml',
    profiles: {
      'MESH-GRPC': { core: ['success', 1, 0, 0], extended: null },
      'MESH-HTTP': { core: ['failure', 6, 1, 0], extended: ['success', 8, 0, 0], failed: ['MeshHTTPRouteWeight'] },
    },
  },
  'v1.4.0__istio-istio__1.28.0-default-report.yaml': {
    result: 'success', exit: 0, version: 'v1.4.0', channel: 'experimental', folder: 'v1.4.0/istio-istio', reportName: 'experimental-1.28-default-report.yaml',
    profiles: { 'MESH-HTTP': { core: ['success', 7, 0, 0], extended: ['success', 7, 0, 0], unsupported: ['MeshClusterIPMatching'] } },
  },
  'v1.5__istio-istio__1.30.0-default-report.yaml': {
    result: 'success', exit: 0, version: 'v1.5.1', channel: 'experimental', folder: 'v1.5/istio-istio', reportName: 'experimental-1.30.1-default-report.yaml',
    profiles: { 'MESH-HTTP': { core: ['success', 7, 0, 0], extended: ['success', 7, 0, 0], unsupported: ['MeshClusterIPMatching'] } },
  },
  'v1.5__cilium__experimental-v1.20.0-pre.2-default-report.yaml': {
    result: 'partial', exit: 0, version: 'v1.5.1', channel: 'experimental', folder: 'v1.5/cilium-cilium', reportName: 'experimental-v1.20.0-pre.2-default-report.yaml',
    profiles: {
      'MESH-GRPC': { core: ['partial', 1, 0, 1], extended: null, skipped: ['MeshGRPCRouteWeight'] },
      'MESH-HTTP': { core: ['partial', 6, 0, 1], extended: ['partial', 6, 0, 1], skipped: ['MeshHTTPRouteMatching', 'MeshHTTPRouteNamedRule'], unsupported: ['MeshConsumerRoute'] },
    },
  },
  'v1.6__cilium__experimental-v1.20.0-default-report.yaml': {
    result: 'success', exit: 0, version: 'v1.6.1', channel: 'experimental', folder: 'v1.6/cilium-cilium', reportName: 'experimental-v1.20.0-default-report.yaml',
    profiles: {
      'MESH-GRPC': { core: ['success', 2, 0, 0], extended: null },
      'MESH-HTTP': { core: ['success', 7, 0, 0], extended: ['success', 7, 0, 0], unsupported: ['MeshConsumerRoute'] },
    },
  },
  'v1.6__cilium__standard-v1.20.0-default-report.yaml': {
    result: 'success', exit: 0, version: 'v1.6.1', channel: 'standard', folder: 'v1.6/cilium-cilium', reportName: 'standard-v1.20.0-default-report.yaml',
    profiles: {
      'MESH-GRPC': { core: ['success', 2, 0, 0], extended: null },
      'MESH-HTTP': { core: ['success', 7, 0, 0], extended: ['success', 7, 0, 0], unsupported: ['MeshConsumerRoute'] },
    },
  },
};

async function gammaReport(args: string[]) {
  const cwd = await mkdtemp(path.join(tmpdir(), 'gamma-report-'));
  const run = cliIO({ cwd });
  const code = await runCli(['gamma', 'report', ...args], run.io);
  return { code, cwd, out: path.join(cwd, 'meshspec-results'), ...run };
}

const levelOf = (l: { result: string; passed: number; failed: number; skipped: number } | null): Level | null => (l ? [l.result, l.passed, l.failed, l.skipped] : null);

describe('meshspec gamma report on every real report in test/fixtures/gamma-reports', () => {
  const validateResult = compileSchemaFile('gamma-result.schema.json');

  it('covers every report fixture', async () => {
    const yamls = (await readdir(FIXTURES)).filter((f) => f.endsWith('.yaml')).sort();
    expect(yamls).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`${file}: ${want.result}, exit ${want.exit}, exact counts`, async () => {
      const run = await gammaReport([fixture(file)]);
      expect(run.code, run.all()).toBe(want.exit);
      const result = JSON.parse(await readFile(path.join(run.out, 'gamma-result.json'), 'utf8'));
      expect(validateResult(result), errorsOf(validateResult).join('\n')).toBe(true);
      expect(result.result).toBe(want.result);
      expect(result.gateway_api_version).toBe(want.version);
      expect(result.gateway_api_channel).toBe(want.channel);
      expect(result.profiles.map((p: { name: string }) => p.name).sort()).toEqual(Object.keys(want.profiles).sort());
      for (const p of result.profiles) {
        const w = want.profiles[p.name]!;
        expect(levelOf(p.core), `${p.name} core`).toEqual(w.core);
        expect(levelOf(p.extended), `${p.name} extended`).toEqual(w.extended);
        expect([...p.core.failed_tests, ...(p.extended?.failed_tests ?? [])]).toEqual(w.failed ?? []);
        expect([...p.core.skipped_tests, ...(p.extended?.skipped_tests ?? [])]).toEqual(w.skipped ?? []);
        if (w.unsupported) expect(p.extended.unsupported_features).toEqual(w.unsupported);
      }

      // The report travels byte for byte, beside the results and inside the submission folder.
      const original = await readFile(fixture(file));
      expect((await readFile(path.join(run.out, 'conformance-report.yaml'))).equals(original)).toBe(true);
      const folder = path.join(run.out, 'submission/conformance/reports', want.folder);
      expect((await readdir(folder)).sort()).toEqual(['README.md', want.reportName].sort());
      expect((await readFile(path.join(folder, want.reportName))).equals(original)).toBe(true);
      const readme = await readFile(path.join(folder, 'README.md'), 'utf8');
      expect(readme).toContain('| API channel | Implementation version | Mode | Report |');
      expect(readme).toContain(`(./${want.reportName})`);
      expect(readme).toMatch(/## Reproduce\n[\s\S]*```yaml\n[\s\S]*gamma-conformance-action@v0[\s\S]*```/);
      const workflow = yaml.load(readme.split('```yaml\n')[1]!.split('```')[0]!) as { jobs: { gamma: { steps: { with: Record<string, unknown> }[] } } };
      expect(workflow.jobs.gamma.steps[0]!.with.gateway_api_version).toBe(want.version);

      // junit.xml names exactly the failed and skipped tests.
      const junit = await readFile(path.join(run.out, 'junit.xml'), 'utf8');
      const failed = Object.values(want.profiles).flatMap((p) => p.failed ?? []);
      const skipped = Object.values(want.profiles).flatMap((p) => p.skipped ?? []);
      expect(junit.match(/<failure /g)?.length ?? 0).toBe(failed.length);
      expect(junit.match(/<skipped /g)?.length ?? 0).toBe(skipped.length);
      for (const t of [...failed, ...skipped]) expect(junit).toContain(`name="${t}"`);

      const summary = await readFile(path.join(run.out, 'summary.md'), 'utf8');
      for (const [name, p] of Object.entries(want.profiles)) {
        expect(summary).toContain(`| ${name} | `);
        expect(summary).toContain(`${p.core[1]} / ${p.core[2]} / ${p.core[3]}`);
      }
      if (want.result === 'partial') expect(run.logger.text()).toMatch(/partial/);
      // report.html too, with the same verdict, and named among the files written.
      const page = await readFile(path.join(run.out, 'report.html'), 'utf8');
      expect(page).toMatch(new RegExp(`<title>${want.result[0]!.toUpperCase()}${want.result.slice(1)}: GAMMA conformance: `));
      expect(run.stdout()).toContain(path.join(run.out, 'report.html'));
      if (want.exit === 1) expect(run.stderr()).toMatch(/not conformant: MESH-HTTP core failed \(MeshHTTPRouteWeight\)/);
    });
  }

  it('keeps `version: 1.20` as the string "1.20", as the suite\'s typed Go reader does', async () => {
    const run = await gammaReport([fixture('v1.0.0__istio-istio__1.20-report.yaml')]);
    const result = JSON.parse(await readFile(path.join(run.out, 'gamma-result.json'), 'utf8'));
    expect(result.implementation.version).toBe('1.20');
  });
});

describe('meshspec gamma report options and refusals', () => {
  it('--require-success turns a partial report into exit 1', async () => {
    const run = await gammaReport([fixture('v1.5__cilium__experimental-v1.20.0-pre.2-default-report.yaml'), '--require-success']);
    expect(run.code).toBe(1);
    expect(run.stderr()).toMatch(/partial.*require_success/);
  });

  it('--profiles selects (all, one, or a gateway profile) and sums only what was selected', async () => {
    const all = await gammaReport([fixture('v1.6__cilium__standard-v1.20.0-default-report.yaml'), '--profiles', 'all']);
    expect(all.code).toBe(0);
    const result = JSON.parse(await readFile(path.join(all.out, 'gamma-result.json'), 'utf8'));
    expect(result.profiles.map((p: { name: string }) => p.name)).toEqual(['GATEWAY-GRPC', 'GATEWAY-TCP', 'GATEWAY-TLS', 'GATEWAY-UDP', 'MESH-GRPC', 'MESH-HTTP', 'GATEWAY-HTTP']);
    expect(result.profiles.find((p: { name: string }) => p.name === 'GATEWAY-HTTP').core.passed).toBe(37);

    const one = await gammaReport([fixture('v1.5__cilium__experimental-v1.20.0-pre.2-default-report.yaml'), '--profiles', 'mesh-http']);
    const r1 = JSON.parse(await readFile(path.join(one.out, 'gamma-result.json'), 'utf8'));
    expect(r1.profiles.map((p: { name: string }) => p.name)).toEqual(['MESH-HTTP']);

    const gateway = await gammaReport([fixture('v1.5__cilium__experimental-v1.20.0-pre.2-default-report.yaml'), '--profiles', 'GATEWAY-HTTP,MESH-GRPC,GATEWAY-UDP']);
    const r2 = JSON.parse(await readFile(path.join(gateway.out, 'gamma-result.json'), 'utf8'));
    expect(r2.profiles.map((p: { name: string }) => p.name)).toEqual(['MESH-GRPC', 'GATEWAY-HTTP']);
    expect(gateway.logger.text()).toMatch(/holds no GATEWAY-UDP profile/);
  });

  it('a report without the selected profiles is exit 2 naming the file and the profiles it holds', async () => {
    const run = await gammaReport([fixture('v1.6__cilium__standard-v1.20.0-default-report.yaml'), '--profiles', 'GATEWAY-NONE']);
    expect(run.code).toBe(2);
    expect(run.stderr()).toMatch(/v1\.6__cilium__standard-v1\.20\.0-default-report\.yaml: holds no profile among GATEWAY-NONE; it holds GATEWAY-GRPC, .*MESH-HTTP/);
  });

  const bad: [string, string, RegExp][] = [
    ['not YAML', 'profiles: [\n', /bad\.yaml: is not YAML/],
    ['a list', '- a\n- b\n', /bad\.yaml: is not a ConformanceReport: expected a YAML mapping/],
    ['another kind', 'apiVersion: v1\nkind: ConfigMap\n', /bad\.yaml: is not a ConformanceReport: \$\.kind is "ConfigMap"/],
    ['no kind (an SMP profile)', 'test:\n  smp_version: v0.0.1\n', /bad\.yaml: is not a ConformanceReport: \$\.kind is missing/],
    ['a count that is not a number', 'REPORT_WITH(Passed: seven)', /bad\.yaml: \$\.profiles\[0\]\.core\.statistics\.Passed: must be integer/],
    ['an unknown result', 'REPORT_WITH(result: succeeded)', /bad\.yaml: \$\.profiles\[0\]\.core\.result: must be one of "success", "partial", "failure"/],
    ['no implementation', 'REPORT_WITHOUT(implementation)', /bad\.yaml: \$\.implementation: is required/],
  ];
  for (const [what, text, message] of bad) {
    it(`${what} is exit 2 naming the file and what is wrong`, async () => {
      const base = await readFile(fixture('v1.6__cilium__standard-v1.20.0-default-report.yaml'), 'utf8');
      let content = text;
      const withMatch = /^REPORT_WITH\((\w+): (\w+)\)$/.exec(text);
      if (withMatch) content = base.replace(new RegExp(`${withMatch[1]}: \\w+`), `${withMatch[1]}: ${withMatch[2]}`);
      if (text === 'REPORT_WITHOUT(implementation)') content = base.replace(/^implementation:\n(  .*\n|  - .*\n)+/m, '');
      expect(content).not.toBe(base);
      const dir = await mkdtemp(path.join(tmpdir(), 'gamma-bad-'));
      await writeFile(path.join(dir, 'bad.yaml'), content);
      const run = await gammaReport([path.join(dir, 'bad.yaml')]);
      expect(run.code, run.all()).toBe(2);
      expect(run.stderr()).toMatch(message);
      await expect(readdir(run.out)).rejects.toThrow();
    });
  }

  it('a missing file, no file or two files are exit 2', async () => {
    const missing = await gammaReport(['/nonexistent/report.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr()).toMatch(/\/nonexistent\/report\.yaml: cannot read the report: ENOENT/);
    expect((await gammaReport([])).code).toBe(2);
    expect((await gammaReport(['a.yaml', 'b.yaml'])).code).toBe(2);
    expect((await gammaReport([fixture('v1.0.0__kumahq-kuma__2.6.0-report.yaml'), '--profiles', 'MESH HTTP!'])).code).toBe(2);
  });
});
