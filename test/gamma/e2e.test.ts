import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../packages/core/src/mesh/registry.js';
import { DEFAULT_GATEWAY_API_VERSION, SUITE_IMAGES } from '../../packages/core/src/gamma/versions.js';
import { gammaAnnotation, gammaDifferences, loadGammaExpectations } from '../../.github/e2e/check-gamma.mjs';

// The GAMMA job of e2e.yml follows the mesh registry and the pinned Gateway API version, and its
// expectations are checked the way the job checks a real run.
const root = path.resolve(import.meta.dirname, '../..');
const e2e = yaml.load(readFileSync(path.join(root, '.github/workflows/e2e.yml'), 'utf8')) as {
  jobs: Record<string, { 'runs-on': string; strategy: { matrix: { include: { mesh: string; kubernetes_version: string }[] } }; steps: { name?: string; uses?: string; run?: string; with?: Record<string, unknown> }[] }>;
};
const job = e2e.jobs.gamma!;
const entries = job.strategy.matrix.include;
const gamma = loadGammaExpectations();

describe('e2e.yml: the GAMMA job', () => {
  it('runs every mesh meshspec installs with GAMMA settings, on Kubernetes 1.30 or newer, on ubuntu-latest', () => {
    expect(job['runs-on']).toBe('ubuntu-latest');
    const meshes = MESHES.filter((m) => m.gamma && m.installer).map((m) => m.id);
    expect(entries.map((e) => e.mesh).sort()).toEqual(meshes.sort());
    for (const e of entries) expect(Number(/^v1\.(\d+)\./.exec(e.kubernetes_version)?.[1]), e.mesh).toBeGreaterThanOrEqual(30);
  });

  it('uses the action by path at the pinned Gateway API version, after preloading every image the suite pulls', () => {
    const action = job.steps.find((s) => s.uses === './gamma-conformance-action')!;
    expect(action.with).toMatchObject({ gateway_api_version: DEFAULT_GATEWAY_API_VERSION, cluster: 'existing' });
    const preload = job.steps.findIndex((s) => /Preload/.test(s.name ?? ''));
    expect(preload).toBeGreaterThan(-1);
    expect(preload).toBeLessThan(job.steps.indexOf(action));
    const minor = /^v\d+\.\d+/.exec(DEFAULT_GATEWAY_API_VERSION)![0];
    for (const image of SUITE_IMAGES[minor]!) expect(job.steps[preload]!.run).toContain(image);
    expect(job.steps.at(-1)!.run).toContain('node .github/e2e/check-gamma.mjs');
  });
});

describe('the GAMMA expectations', () => {
  it('has a row for every mesh of the job, at the pinned version and channel, and says why each is (un)certain', () => {
    expect(gamma.gateway_api_version).toBe(DEFAULT_GATEWAY_API_VERSION);
    expect(Object.keys(gamma.meshes).sort()).toEqual(entries.map((e) => e.mesh).sort());
    for (const [mesh, row] of Object.entries<any>(gamma.meshes)) {
      expect(row.version, mesh).toBe(MESHES.find((m) => m.id === mesh)!.defaultVersion);
      for (const p of Object.values<any>(row.profiles)) {
        expect(p.why.length).toBeGreaterThan(20);
        expect(p.evidence.length).toBeGreaterThan(0);
      }
    }
  });

  const resultOf = (mesh: string) => {
    const row = gamma.meshes[mesh];
    return {
      gateway_api_version: gamma.gateway_api_version,
      gateway_api_channel: gamma.gateway_api_channel,
      profiles: Object.entries<any>(row.profiles).map(([name, p]) => ({
        name,
        core: { ...p.core, failed_tests: [], skipped_tests: [] },
        extended: p.extended && { ...p.extended, failed_tests: [], skipped_tests: [], supported_features: [], unsupported_features: [] },
      })),
    };
  };

  it('a run that matches gives no difference; every difference is reported with both values, warned on an uncertain row', () => {
    for (const mesh of Object.keys(gamma.meshes)) expect(gammaDifferences(gamma, mesh, resultOf(mesh)), mesh).toEqual([]);
    const run = resultOf('linkerd');
    run.profiles[0]!.core.passed -= 1;
    run.profiles[0]!.core.failed += 1;
    run.profiles[0]!.core.result = 'failure';
    const diffs = gammaDifferences(gamma, 'linkerd', run);
    const name = run.profiles[0]!.name;
    expect(diffs.map((d: any) => d.what)).toEqual([`${name} core result`, `${name} core passed`, `${name} core failed`]);
    const certain = gamma.meshes.linkerd.profiles[name].certain;
    expect(gammaAnnotation('linkerd', diffs[1])).toBe(
      `::${certain ? 'error' : 'warning'} title=GAMMA expectation (linkerd)::${name} core passed: expected ${run.profiles[0]!.core.passed + 1}, got ${run.profiles[0]!.core.passed} (${certain ? 'certain' : 'uncertain'} row of .github/e2e/smi-expectations.json)`,
    );
    const wrongVersion = { ...resultOf('istio'), gateway_api_version: 'v1.6.0' };
    expect(gammaDifferences(gamma, 'istio', wrongVersion)).toEqual([{ certain: true, what: 'gateway_api_version', expected: 'v1.6.1', got: 'v1.6.0' }]);
  });
});
