import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../packages/core/src/kube/client.js';
import { nodeBinaries, runActionBundle } from '../support/action-runner.mjs';
import { requires } from '../support/requires.mjs';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';
import { fixturePath } from '../support/fixtures.mjs';
import { TRAEFIK_MESH_CHART_REPO } from '../../packages/core/src/mesh/traefik-mesh.js';
import { SAMPLE_APP_IMAGE } from '../../packages/core/src/smi/workloads.js';

/**
 * The runner protocol: the committed bundle, run as the GitHub runner runs it (INPUT_* variables,
 * output/summary/state files, then the post step), on Node 20 and Node 24, against the standalone
 * fake cluster (test/support/fake-cluster/serve.mjs).
 */
const root = resolve(import.meta.dirname, '../..');
const bundle = join(root, 'smi-conformance-action/dist/index.js');
const serveScript = join(root, 'test/support/fake-cluster/serve.mjs');

interface Served {
  child: ChildProcess;
  kubeconfig: string;
  stop(): Promise<void>;
}

/** Starts serve.mjs and waits for its "ready" line. */
async function serve(mesh: string): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-serve-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [serveScript, '--mesh', mesh, '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready ')) ready();
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => fail(new Error(`serve.mjs exited with ${code}: ${err}`)));
  });
  return {
    child,
    kubeconfig,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function meshspecNamespaces(kubeconfig: string): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return new KubeClient(kc).core.listNamespace().then((l) => l.items.map((n) => n.metadata!.name!).filter((n) => n.startsWith('meshspec-')));
}

describe('smi-conformance-action: action.yml', () => {
  it('validates against SchemaStore github-action.json and declares what the action reads and writes', () => {
    const schema = JSON.parse(readFileSync(fixturePath('schemastore', 'github-action.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const action = yaml.load(readFileSync(join(root, 'smi-conformance-action/action.yml'), 'utf8')) as Record<string, any>;
    expect(validate(action), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js' });
    for (const [name, input] of Object.entries<Record<string, unknown>>(action.inputs)) {
      expect(input.description, name).toBeTruthy();
      expect(typeof input.default, `input ${name} has a default`).toBe('string');
    }
    // Meshery's inputs are accepted, so switching is a change of `uses:` only.
    for (const meshery of ['provider_token', 'service_mesh', 'mesh_deployed']) expect(action.inputs).toHaveProperty(meshery);
    expect(Object.keys(action.outputs).sort()).toEqual(['api_versions', 'cases_passed', 'cases_total', 'comment_url', 'failure_kind', 'mesh_version', 'output_dir', 'passing_percentage', 'release_assets', 'result_file', 'result_id', 'result_url', 'status']);
    // auto by default (no installable mesh serves all of v0.6.0); the pinned sample app image by default.
    expect(action.inputs.smi_version.default).toBe('auto');
    expect(action.inputs.sample_app_image.default).toBe(SAMPLE_APP_IMAGE);
    expect(action.inputs.traefik_mesh_chart_repo.default).toBe(TRAEFIK_MESH_CHART_REPO);
    const source = readFileSync(join(root, 'smi-conformance-action/src/main.ts'), 'utf8');
    expect(source.split('\n').length).toBeLessThan(200);
  });
});

describe('smi-conformance-action: the committed bundle under the runner protocol', () => {
  let faithful: Served;
  let broken: Served;
  beforeAll(async () => {
    expect(existsSync(bundle), `${bundle} is missing: npm run build:core && npm run build -w smi-conformance-action`).toBe(true);
    [faithful, broken] = await Promise.all([serve('faithful'), serve('ignore-methods')]);
  });
  afterAll(async () => {
    await Promise.all([faithful?.stop(), broken?.stop()]);
  });

  for (const bin of nodeBinaries()) {
    it(`${bin.label}: a conformant mesh → exit 0, outputs, summary, files`, async (ctx) => {
      requires(ctx, bin.skipReason);
      const run = await runActionBundle({
        bundle,
        node: bin.path,
        inputs: { service_mesh: 'open_service_mesh', mesh_deployed: 'true', mesh_version: 'v1.2.4', kubeconfig: faithful.kubeconfig, provider_token: '' },
      });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const out = join(run.workspace, 'meshspec-results');
      expect(run.outputs).toEqual({
        status: 'conformant',
        passing_percentage: '100.00',
        cases_passed: '28',
        cases_total: '28',
        result_file: join(out, 'smi-result.json'),
        result_id: '',
        result_url: '',
        mesh_version: 'v1.2.4',
        api_versions: JSON.stringify({
          TrafficTarget: 'access.smi-spec.io/v1alpha3',
          TCPRoute: 'specs.smi-spec.io/v1alpha4',
          HTTPRouteGroup: 'specs.smi-spec.io/v1alpha4',
          TrafficSplit: 'split.smi-spec.io/v1alpha4',
          TrafficMetrics: 'metrics.smi-spec.io/v1alpha1',
        }),
        output_dir: out,
        failure_kind: 'none',
        comment_url: '',
        release_assets: '[]',
      });
      expect(run.summary).toMatch(/## SMI conformance: Open Service Mesh v1\.2\.4 — ✅ conformant/);
      expect(run.summary).toMatch(/\| traffic-split \| split\.smi-spec\.io\/v1alpha4 \| ✅ PASSED \| FULL \| 11\/11 \|/);
      const result = JSON.parse(readFileSync(join(out, 'smi-result.json'), 'utf8'));
      const validate = compileSchemaFile('smi-result.schema.json');
      expect(validate(result), errorsOf(validate).join('\n')).toBe(true);
      expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuites name="meshspec SMI conformance: Open Service Mesh v1\.2\.4" tests="28" failures="0"/);
      // The job summary is summary.md, then the provider's section (written after publishing).
      expect(run.summary.startsWith(readFileSync(join(out, 'summary.md'), 'utf8').trimEnd())).toBe(true);
      expect(run.summary).toMatch(/### Provider\n\nℹ️ not published: no provider token was given/);
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<title>Conformant: SMI conformance: Open Service Mesh v1.2.4</title>');
      expect(run.summary).toMatch(/📊 \*\*The report page\*\*: .*`report\.html`/);
      expect(run.summary).toMatch(/### Phases\n(.|\n)*\| Cluster \| [\d.]+ s \|(.|\n)*\| Mesh \(verify\) \| [\d.]+ s \|/);
      expect(run.stdout).toMatch(/::notice::not published: no provider token was given/);
      expect(run.post?.code).toBe(0);
      expect(await meshspecNamespaces(faithful.kubeconfig)).toEqual([]);
    });

    it(`${bin.label}: a mesh that ignores methods → exit 1, failure_kind=test`, async (ctx) => {
      requires(ctx, bin.skipReason);
      const run = await runActionBundle({
        bundle,
        node: bin.path,
        inputs: { service_mesh: 'osm', mesh_deployed: 'true', kubeconfig: broken.kubeconfig, specs: 'traffic-access, traffic-specs', step_timeout: '2s' },
      });
      expect(run.code).toBe(1);
      expect(run.outputs).toMatchObject({ status: 'not-conformant', failure_kind: 'test', cases_passed: '12', cases_total: '13', passing_percentage: '92.31' });
      expect(run.stdout).toMatch(/::error::not conformant: 12\/13 steps passed \(92\.31%25\); not passed: traffic-spec/);
      expect(run.summary).toMatch(/\| 6 \| \*\*trafficMethod\*\*.*❌ failed \| an HTTPRouteGroup match allows only its methods: app-a → POST .* was allowed/);
    });
  }

  it('bad input → exit 1, failure_kind=input, a message naming the input', async () => {
    const run = await runActionBundle({ bundle, inputs: { service_mesh: 'osm', kubeconfig: faithful.kubeconfig, specs: 'traffic-nope' }, post: false });
    expect(run.code).toBe(1);
    expect(run.outputs.failure_kind).toBe('input');
    expect(run.stdout).toMatch(/::error::input specs: unknown SMI spec "traffic-nope"/);
  });

  it('a missing kubeconfig → failure_kind=input; an unreachable cluster → failure_kind=infra, naming the server', async () => {
    let run = await runActionBundle({ bundle, inputs: { service_mesh: 'osm', kubeconfig: 'nope/kubeconfig' }, post: false });
    expect(run.outputs.failure_kind).toBe('input');
    expect(run.stdout).toMatch(/::error::input kubeconfig: kubeconfig file .*nope\/kubeconfig does not exist/);
    const dead = join(mkdtempSync(join(tmpdir(), 'meshspec-dead-')), 'kubeconfig');
    writeFileSync(dead, readFileSync(faithful.kubeconfig, 'utf8').replace(/server: .*/, 'server: http://127.0.0.1:9'));
    run = await runActionBundle({ bundle, inputs: { service_mesh: 'osm', kubeconfig: dead }, post: false });
    expect(run.code).toBe(1);
    expect(run.outputs.failure_kind).toBe('infra');
    // The message speaks of what the user set (a kubeconfig), not of `cluster: existing`.
    expect(run.stdout).toMatch(/::error::input kubeconfig is .*kubeconfig, but the API server http:\/\/127\.0\.0\.1:9 \(context "fake-cluster" in .*kubeconfig\) does not answer: http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED.* Check the kubeconfig/);
  });

  it('a main step killed mid-run leaves namespaces; the post step deletes them', async () => {
    const run = await runActionBundle({
      bundle,
      inputs: { service_mesh: 'osm', mesh_deployed: 'true', kubeconfig: faithful.kubeconfig },
      signalWhen: 'traffic-access 2/7 install: passed',
      signal: 'SIGKILL',
    });
    expect(run.signal).toBe('SIGKILL');
    const saved = JSON.parse(run.state['smi-namespaces'] ?? '[]') as string[];
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^meshspec-traffic-access-/);
    expect(run.post?.code).toBe(0);
    expect(run.post?.stdout).toContain(`deleted namespace ${saved[0]}, left behind by the SMI run`);
    expect(await meshspecNamespaces(faithful.kubeconfig)).toEqual([]);
  });

  it('SIGTERM mid-run: partial results marked cancelled, failure_kind=cancelled, nothing left behind', async () => {
    const run = await runActionBundle({
      bundle,
      inputs: { service_mesh: 'osm', mesh_deployed: 'true', kubeconfig: faithful.kubeconfig },
      signalWhen: 'traffic-spec 2/6 install: passed',
      signal: 'SIGTERM',
    });
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'cancelled', failure_kind: 'cancelled' });
    const result = JSON.parse(readFileSync(join(run.workspace, 'meshspec-results', 'smi-result.json'), 'utf8'));
    expect(result.status).toBe('cancelled');
    expect(result.more_details[0].status).toBe('PASSED');
    expect(result.more_details[1].status).toBe('CANCELLED');
    expect(await meshspecNamespaces(faithful.kubeconfig)).toEqual([]);
  });
});
