import { mkdtempSync } from 'node:fs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runActionBundle } from '../support/action-runner.mjs';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { encodeToken, startFakeProvider } from '../support/fake-provider.mjs';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';
import { findSecrets } from '../support/secret-scan.mjs';

// Publishing through the committed smi-conformance-action bundle, against the fake cluster (with
// the faithful mesh and an OSM control plane, so mesh_deployed verification has something to find)
// and a real local provider; RUNNER_DEBUG=1, and no token may appear anywhere the run leaves text.
const bundle = resolve(import.meta.dirname, '../../smi-conformance-action/dist/index.js');

const access = 'eyJhbGciOiJSUzI1NiJ9.smi-access-secret.sig';
const refresh = 'smi-refresh-secret-value';
const token = encodeToken({ access_token: access, refresh_token: refresh, expiry: '2099-01-01T00:00:00Z' });
const refreshed = encodeToken({ access_token: 'smi-refreshed-access-secret', refresh_token: 'smi-refreshed-refresh-secret', expiry: '2099-01-01T00:00:00Z' });
const secrets = { raw: token, access, refresh, refreshed, refreshedAccess: 'smi-refreshed-access-secret', refreshedRefresh: 'smi-refreshed-refresh-secret' };

let cluster: Awaited<ReturnType<typeof startFakeClusterWithMesh>>;
let kubeconfig: string;
let provider: Awaited<ReturnType<typeof startFakeProvider>>;

beforeAll(async () => {
  cluster = await startFakeClusterWithMesh({ mesh: 'faithful', controlPlane: 'osm' });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'meshspec-smi-pub-')), 'kubeconfig');
  cluster.writeKubeconfig(kubeconfig);
  provider = await startFakeProvider({ acceptTokens: [token], refresh: { token: refreshed } });
});
afterAll(async () => {
  await provider?.close();
  await cluster?.close();
});
beforeEach(() => {
  provider.reset();
  provider.config.acceptTokens = [token];
  provider.config.refresh = { status: 200, token: refreshed };
});

async function runWith(inputs: Record<string, string> = {}) {
  const r = await runActionBundle({
    bundle,
    env: { RUNNER_DEBUG: '1' },
    inputs: { service_mesh: 'osm', mesh_deployed: 'true', kubeconfig, specs: 'traffic-split', provider_token: token, provider_url: provider.url, provider_deadline: '5s', ...inputs },
  });
  const outDir = join(r.workspace, 'meshspec-results');
  expect(findSecrets(r, outDir, secrets)).toEqual([]);
  return { r, outDir };
}

describe('smi-conformance-action publishing', () => {
  it('verifies the deployed mesh, publishes the SmiResult in the shape Meshery expects, and sets result_id', async () => {
    const { r } = await runWith();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'conformant', failure_kind: 'none', mesh_version: 'v1.2.4' });
    expect(provider.smiResults).toHaveLength(1);
    expect(r.outputs.result_id).toBe(provider.smiResults[0]!.id);
    const post = provider.requestsTo('/smi/results', 'POST')[0]!;
    expect(post.headers.authorization).toBe(`bearer ${token}`);
    expect(post.headers['x-api-key']).toBe(token);
    const validate = compileSchemaFile('provider/smi-result.camel.schema.json');
    expect(validate(post.body), errorsOf(validate).join('\n')).toBe(true);
    expect(r.stdout).toMatch(/Open Service Mesh control plane found in osm-system: version v1\.2\.4/);
  });

  it('refreshes a rejected token once and publishes with the new one', async () => {
    provider.config.acceptTokens = [refreshed];
    const { r } = await runWith();
    expect(r.code, r.stdout).toBe(0);
    expect(provider.requestsTo('/smi/results', 'POST').at(-1)!.headers.authorization).toBe(`bearer ${refreshed}`);
  });

  it('a provider that keeps failing: exit 1, failure_kind=publish, the files kept, the reason in the summary', async () => {
    provider.addFault({ method: 'POST', path: '/smi/results', status: 503, retryAfter: 0, times: 1000 });
    const { r, outDir } = await runWith();
    expect(r.code).toBe(1);
    expect(r.outputs.failure_kind).toBe('publish');
    expect(r.outputs.status).toBe('conformant');
    expect(existsSync(join(outDir, 'smi-result.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'smi-result.json'), 'utf8')).status).toBe('completed');
    expect(r.summary).toMatch(/❌ the SMI result was NOT published/);
    expect(provider.requestsTo('/smi/results', 'POST').length).toBeGreaterThan(1);
  });

  it('mesh_deployed with no kubeconfig to be found: exit 1, failure_kind=input at once, naming the paths, never a minikube', async () => {
    const home = mkdtempSync(join(tmpdir(), 'meshspec-smi-home-'));
    const started = Date.now();
    const r = await runActionBundle({ bundle, env: { HOME: home, KUBECONFIG: '' }, inputs: { service_mesh: 'osm', mesh_deployed: 'true', upload_artifact: 'false' } });
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.failure_kind).toBe('input');
    expect(r.stdout).toContain(`input mesh_deployed is true, but no kubeconfig was found: looked at ${join(home, '.kube', 'config')}.`);
    expect(r.stdout).not.toMatch(/starting minikube|downloading/i);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('mesh_deployed with a kubeconfig whose server does not answer: failure_kind=infra, naming the server', async () => {
    const dead = join(mkdtempSync(join(tmpdir(), 'meshspec-smi-dead-')), 'kubeconfig');
    await cluster.writeKubeconfig(dead);
    writeFileSync(dead, readFileSync(dead, 'utf8').replace(/server: \S+/, 'server: http://127.0.0.1:9'));
    const r = await runActionBundle({ bundle, inputs: { service_mesh: 'osm', mesh_deployed: 'true', kubeconfig: dead, upload_artifact: 'false' } });
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.failure_kind).toBe('infra');
    expect(r.stdout).toMatch(/input mesh_deployed is true, but the API server http:\/\/127\.0\.0\.1:9 \(context "[^"]+" in .*kubeconfig\) does not answer/);
    expect(r.stdout).not.toMatch(/starting minikube|cluster: existing/);
  });

  it('mesh_deployed with a mesh that is not there fails clearly (infra), before the suite runs', async () => {
    const { r } = await runWith({ service_mesh: 'linkerd' });
    expect(r.code).toBe(1);
    expect(r.outputs.failure_kind).toBe('infra');
    expect(r.stdout).toMatch(/::error::.*[Ll]inkerd/);
    expect(provider.requests).toHaveLength(0);
  });
});
