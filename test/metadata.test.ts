import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import Ajv07 from 'ajv';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../packages/core/src/defaults.js';
import { requireDuration } from '../packages/core/src/duration.js';
import { DEFAULT_DEADLINE_MS } from '../packages/core/src/provider/http.js';
import { parseProfileText } from '../packages/core/src/smp/profile.js';
import { fixturePath } from './support/fixtures.mjs';

const root = resolve(import.meta.dirname, '..');
const schemastore = fixturePath('schemastore');
type AjvCtor = typeof Ajv07.default;
const AjvClass: AjvCtor = (Ajv07 as unknown as { default: AjvCtor }).default ?? (Ajv07 as unknown as AjvCtor);

describe('action metadata', () => {
  // SchemaStore's schemas use keywords ajv's strict mode rejects (DESIGN.md, Conventions).
  const validate = new AjvClass({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(join(schemastore, 'github-action.json'), 'utf8')));
  for (const action of ['smp-action', 'smi-conformance-action']) {
    it(`${action}/action.yml validates against SchemaStore and follows our rules`, () => {
      const meta = yaml.load(readFileSync(join(root, action, 'action.yml'), 'utf8')) as {
        runs: { using: string; main: string; post?: string };
        inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
        outputs: Record<string, { description?: string }>;
      };
      expect(validate(meta), JSON.stringify(validate.errors)).toBe(true);
      expect(meta.runs.using).toBe('node24');
      expect(meta.runs.main).toBe('dist/index.js');
      for (const [name, input] of Object.entries(meta.inputs)) {
        expect(input.description, `${name} has a description`).toBeTruthy();
        expect(input.default, `${name} has a default`).toBeTypeOf('string');
        expect(name, 'snake_case').toMatch(/^[a-z][a-z0-9_]*$/);
      }
      for (const k of ['result_file', 'result_id', 'output_dir', 'failure_kind']) expect(meta.outputs).toHaveProperty(k);
      // Meshery's input names are accepted so that switching is a change of `uses:` only.
      for (const k of ['provider_token', 'service_mesh']) expect(meta.inputs).toHaveProperty(k);
      // Where teams look (issue 14): every action comments and attaches release assets the same way.
      for (const k of ['comment', 'comment_key', 'matrix', 'attach_to_release', 'github_token']) expect(meta.inputs).toHaveProperty(k);
      for (const k of ['comment_url', 'release_assets']) expect(meta.outputs).toHaveProperty(k);
      expect(meta.inputs.matrix!.default).toBe('${{ toJSON(matrix) }}');
      expect(meta.inputs.github_token!.default).toBe('${{ github.token }}');
    });
  }

  it('gamma-conformance-action/action.yml validates against SchemaStore and follows our rules', () => {
    const meta = yaml.load(readFileSync(join(root, 'gamma-conformance-action/action.yml'), 'utf8')) as {
      runs: { using: string; main: string; post?: string };
      inputs: Record<string, { description?: string; default?: string }>;
      outputs: Record<string, { description?: string }>;
    };
    expect(validate(meta), JSON.stringify(validate.errors)).toBe(true);
    expect(meta.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js' });
    for (const [name, input] of Object.entries(meta.inputs)) {
      expect(input.description, `${name} has a description`).toBeTruthy();
      expect(input.default, `${name} has a default`).toBeTypeOf('string');
      expect(name, 'snake_case').toMatch(/^[a-z][a-z0-9_]*$/);
    }
    for (const k of ['profiles', 'supported_features', 'exempt_features', 'skip_tests', 'organization', 'project', 'url', 'version', 'contact', 'mode', 'gateway_api_version', 'gateway_api_channel', 'require_success']) expect(meta.inputs).toHaveProperty(k);
    for (const k of ['result', 'core_passed', 'core_failed', 'extended_passed', 'extended_failed', 'report_file', 'failure_kind']) expect(meta.outputs).toHaveProperty(k);
    // No provider: Meshery has no GAMMA endpoint, and the action does not pretend to publish.
    expect(Object.keys(meta.inputs).filter((k) => k.startsWith('provider'))).toEqual([]);
  });

  // src/defaults.ts defines each default once; action.yml repeats some for the workflow editor.
  it('the action.yml defaults agree with DEFAULTS', () => {
    const defaults = (action: string) =>
      Object.fromEntries(
        Object.entries((yaml.load(readFileSync(join(root, action, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }).inputs).map(([k, v]) => [k, v.default]),
      );
    const smp = defaults('smp-action');
    const smi = defaults('smi-conformance-action');
    const gamma = defaults('gamma-conformance-action');
    expect([smp.output_dir, smi.output_dir, gamma.output_dir]).toEqual([DEFAULTS.outDir, DEFAULTS.outDir, DEFAULTS.outDir]);
    expect(requireDuration(gamma.cluster_timeout!, 'cluster_timeout')).toBe(DEFAULTS.clusterReadyMs);
    expect(requireDuration(smp.request_timeout!, 'request_timeout')).toBe(DEFAULTS.requestTimeoutMs);
    expect([smp.load_pods, smp.load_image, smp.load_namespace]).toEqual([String(DEFAULTS.loadPods), DEFAULTS.loadImage, DEFAULTS.loadNamespace]);
    expect(requireDuration(smp.load_start_lead!, 'load_start_lead')).toBe(DEFAULTS.loadStartLeadMs);
    expect(requireDuration(DEFAULTS.loadStartLead, 'DEFAULTS.loadStartLead')).toBe(DEFAULTS.loadStartLeadMs);
    expect(requireDuration(DEFAULTS.requestTimeout, 'DEFAULTS.requestTimeout')).toBe(DEFAULTS.requestTimeoutMs);
    expect(requireDuration(smi.step_timeout!, 'step_timeout')).toBe(DEFAULTS.stepTimeoutMs);
    for (const inputs of [smp, smi]) {
      expect(requireDuration(inputs.cluster_timeout!, 'cluster_timeout')).toBe(DEFAULTS.clusterReadyMs);
      expect(requireDuration(inputs.provider_deadline!, 'provider_deadline')).toBe(DEFAULT_DEADLINE_MS);
    }
  });

  it('smp-action accepts every input of Meshery\'s smp action', () => {
    const meta = yaml.load(readFileSync(join(root, 'smp-action/action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    for (const k of ['provider_token', 'platform', 'profile_filename', 'profile_name', 'endpoint_url', 'service_mesh', 'test_name', 'load_generator']) expect(meta.inputs).toHaveProperty(k);
    for (const k of ['p50_ms', 'p90_ms', 'p99_ms', 'actual_qps', 'error_rate']) expect(meta.outputs).toHaveProperty(k);
  });

  it('smp-action has the regression gate\'s inputs and outputs', () => {
    const meta = yaml.load(readFileSync(join(root, 'smp-action/action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    for (const k of ['baseline', 'regression', 'warmup', 'repeat']) expect(meta.inputs).toHaveProperty(k);
    for (const k of ['regression', 'baseline_source', 'deltas']) expect(meta.outputs).toHaveProperty(k);
  });
});

describe('examples and generated files', () => {
  // Our examples, and the real profiles published upstream (test/fixtures/smp/, e.g. the SMP blog
  // post's, which leaves optional fields empty): all of them must be accepted.
  it.each([
    ['examples/smp', join(root, 'examples/smp')],
    ['test/fixtures/smp', fixturePath('smp')],
  ])('every profile in %s validates', (_name, dir) => {
    const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(() => parseProfileText(readFileSync(join(dir, f), 'utf8'), f)).not.toThrow();
  });

  it('the embedded schemas match schemas/', () => {
    // Fails when a schema changed without `npm run build:core`.
    expect(() => execFileSync(process.execPath, [join(root, 'scripts/embed-schemas.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it("the report page's embedded assets match uPlot and report/html/page/", () => {
    // Fails when page/report.js or report.css changed (or uplot was upgraded) without `npm run build:core`.
    expect(() => execFileSync(process.execPath, [join(root, 'scripts/embed-page-assets.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('inputs are wired', () => {
  // Every input an action declares is read by its code (its main.ts or the shared GitHub glue), and
  // every input its main.ts reads is declared: no dead inputs, no silent typos.
  // The glue each action calls: every action shares the comment and release inputs; smp-action reads the gate's.
  const glueOf = (action: string) =>
    ['publish-inputs.ts', 'lifecycle.ts', 'share-results.ts', ...(action === 'smp-action' ? ['gate-inputs.ts', 'load-inputs.ts', 'comparison-inputs.ts'] : [])].map((f) => readFileSync(join(root, 'packages/core/src/github', f), 'utf8')).join('\n');
  const names = (text: string) => new Set([...text.matchAll(/inputs\.\w+\('([a-z_]+)'/g)].map((m) => m[1]!));
  for (const action of ['smp-action', 'smi-conformance-action', 'gamma-conformance-action']) {
    it(action, () => {
      const meta = yaml.load(readFileSync(join(root, action, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
      const main = readFileSync(join(root, action, 'src/main.ts'), 'utf8');
      const read = new Set([...names(main), ...names(glueOf(action))]);
      const declared = Object.keys(meta.inputs);
      expect(declared.filter((k) => !read.has(k)), 'declared but never read').toEqual([]);
      expect([...names(main)].filter((k) => !declared.includes(k)), 'read but not declared').toEqual([]);
      expect(main.split('\n').length).toBeLessThan(200);
    });
  }
});
