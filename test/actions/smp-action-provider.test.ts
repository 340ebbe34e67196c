import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runActionBundle } from '../support/action-runner.mjs';
import { encodeToken, startFakeProvider } from '../support/fake-provider.mjs';
import { findSecrets } from '../support/secret-scan.mjs';

// Publishing through the committed smp-action bundle, against a real local provider, with
// RUNNER_DEBUG=1 so that debug lines are printed too: on the success path and on each fault, no
// token (raw, access, refresh, refreshed) may appear anywhere the run leaves text.
const bundle = resolve(import.meta.dirname, '../../smp-action/dist/index.js');

const access = 'eyJhbGciOiJSUzI1NiJ9.access-token-secret-part.signature-abc';
const refresh = 'refresh-token-secret-value-123';
const token = encodeToken({ access_token: access, refresh_token: refresh, expiry: '2099-01-01T00:00:00Z' });
const refreshedAccess = 'eyJhbGciOiJSUzI1NiJ9.refreshed-access-secret.sig';
const refreshed = encodeToken({ access_token: refreshedAccess, refresh_token: 'refreshed-refresh-secret', expiry: '2099-01-01T00:00:00Z' });
const secrets = { raw: token, access, refresh, refreshed, refreshedAccess, refreshedRefresh: 'refreshed-refresh-secret', header: 'profile-header-secret', urlPassword: 'url-password-secret' };

let target: Server;
let targetUrl: string;
let provider: Awaited<ReturnType<typeof startFakeProvider>>;

beforeAll(async () => {
  target = createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  provider = await startFakeProvider({ acceptTokens: [token], refresh: { token: refreshed } });
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
  await provider.close();
});

beforeEach(() => {
  provider.reset();
  provider.config.acceptTokens = [token];
  provider.config.refresh = { status: 200, token: refreshed };
});

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'meshspec-pub-'));
  writeFileSync(
    join(ws, 'p.yaml'),
    `test:
  name: publish test
  duration: 1s
  clients:
    - connections: 1
      rps: 20
      headers: {Authorization: 'Bearer ${secrets.header}'}
      endpoint_urls: ['${targetUrl.replace('http://', `http://user:${secrets.urlPassword}@`)}/']
mesh:
  type: LINKERD
`,
  );
  return ws;
}

async function runWith(inputs: Record<string, string> = {}) {
  const ws = workspace();
  const r = await runActionBundle({
    bundle,
    workspace: ws,
    env: { RUNNER_DEBUG: '1' },
    inputs: { profile_filename: 'p.yaml', provider_token: token, provider_url: provider.url, provider_deadline: '8s', ...inputs },
  });
  const outDir = join(ws, 'meshspec-results');
  expect(findSecrets(r, outDir, secrets)).toEqual([]);
  // The token was handed to the runner for masking before anything else.
  expect(r.stdout.split('\n').find((l) => l.startsWith('::'))).toBe(`::add-mask::${token}`);
  return { r, outDir };
}

describe('smp-action publishing', () => {
  it('publishes after the files are written, with the whole token in Authorization and X-API-Key', async () => {
    const { r, outDir } = await runWith();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.failure_kind).toBe('none');
    expect(provider.results).toHaveLength(1);
    expect(r.outputs.result_id).toBe(provider.results[0]!.id);
    const post = provider.requestsTo(/\/results$/, 'POST')[0]!;
    expect(post.headers.authorization).toBe(`bearer ${token}`);
    expect(post.headers['x-api-key']).toBe(token);
    const body = post.body as { name: string; runnerResults: { RunType: string; DurationHistogram: unknown } };
    expect(body.runnerResults.RunType).toBe('HTTP');
    // The provider got the profile with its secrets redacted.
    expect(JSON.stringify(provider.profiles)).not.toContain(secrets.header);
    expect(existsSync(join(outDir, 'smp-result.json'))).toBe(true);
    expect(r.summary).toMatch(/### Provider\n\n✅ published the SMP result/);
    // A re-run adds to the same profile instead of creating a duplicate.
    await runWith();
    expect(provider.profiles).toHaveLength(1);
    expect(provider.results).toHaveLength(2);
  });

  it('sends the decoded access token with provider_token_mode: access_token', async () => {
    provider.config.acceptTokens = [access];
    const { r } = await runWith({ provider_token_mode: 'access_token' });
    expect(r.code, r.stdout).toBe(0);
    expect(provider.requestsTo(/\/results$/, 'POST')[0]!.headers.authorization).toBe(`bearer ${access}`);
  });

  it('retries 503s with Retry-After and a GET closed mid-response, then publishes', async () => {
    provider.addFault({ method: 'POST', path: /\/results$/, status: 503, retryAfter: 0, times: 2 });
    provider.addFault({ method: 'GET', path: '/user/performance/profiles', close: true, times: 1 });
    const { r } = await runWith();
    expect(r.code, r.stdout).toBe(0);
    expect(provider.requestsTo(/\/results$/, 'POST').length).toBe(3);
    expect(provider.results).toHaveLength(1);
  });

  it('a result whose answer is lost is stored once: exit 1, failure_kind=publish, "may have been stored; result id", files kept', async () => {
    provider.addFault({ method: 'POST', path: /\/results$/, close: true, times: 1, storeFirst: true });
    const { r, outDir } = await runWith();
    expect(r.code).toBe(1);
    expect(r.outputs.failure_kind).toBe('publish');
    expect(provider.requestsTo(/\/results$/, 'POST')).toHaveLength(1);
    expect(provider.results).toHaveLength(1);
    const id = JSON.parse(readFileSync(join(outDir, 'smp-result.json'), 'utf8')).id as string;
    expect(r.stdout).toContain(`may have been stored; result id ${id}`);
    expect(existsSync(join(outDir, 'fortio.json'))).toBe(true);
  });

  it('refreshes once on 401 and retries with the refreshed token, which is masked at once', async () => {
    provider.config.acceptTokens = [refreshed];
    const { r } = await runWith();
    expect(r.code, r.stdout).toBe(0);
    expect(provider.requestsTo('/refresh', 'POST')).toHaveLength(1);
    expect(provider.requestsTo(/\/results$/, 'POST').at(-1)!.headers.authorization).toBe(`bearer ${refreshed}`);
    expect(r.stdout).toContain(`::add-mask::${refreshed}`);
  });

  it('a rejected token fails with exit 1, failure_kind=publish, the files kept and the reason in the summary', async () => {
    provider.config.acceptTokens = ['some-other-token'];
    provider.config.refresh = { status: 401, body: { error: 'refresh token expired' } };
    const { r, outDir } = await runWith();
    expect(r.code).toBe(1);
    expect(r.outputs.failure_kind).toBe('publish');
    expect(existsSync(join(outDir, 'smp-result.json'))).toBe(true);
    expect(existsSync(join(outDir, 'fortio.json'))).toBe(true);
    expect(r.summary).toMatch(/❌ the SMP result was NOT published: .*token/i);
    expect(r.outputs.p99_ms).toBeTruthy();
  });

  it('shows the provider\'s message on a 400 and does not retry it; publish_failure: warn keeps the step green', async () => {
    provider.addFault({ method: 'POST', path: /\/results$/, status: 400, body: { error: 'runnerResults.StartTime is malformed' }, times: 5 });
    const { r } = await runWith({ publish_failure: 'warn' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.failure_kind).toBe('none');
    expect(r.stdout).toMatch(/::warning::.*runnerResults\.StartTime is malformed/);
    expect(provider.requestsTo(/\/results$/, 'POST')).toHaveLength(1);
  });

  it('refuses a plain-http provider that is not loopback before any connection (exit 1, failure_kind=input)', async () => {
    const { r } = await runWith({ provider_url: 'http://provider.example.invalid' });
    expect(r.code).toBe(1);
    expect(r.outputs.failure_kind).toBe('input');
    expect(r.stdout).toMatch(/https/);
    expect(provider.requests).toHaveLength(0);
    // Refused up front: no load ran, no result was written.
    expect(r.outputs.result_file).toBeUndefined();
  });
});
