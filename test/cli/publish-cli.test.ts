import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { cliIO } from '../support/cli-io.js';
import { encodeToken, startFakeProvider } from '../support/fake-provider.mjs';

const access = 'access-token-for-cli-tests-0123456789';
const token = encodeToken({ access_token: access, refresh_token: 'cli-refresh-secret', expiry: '2099-01-01T00:00:00Z' });

let target: Server;
let targetUrl: string;
let provider: Awaited<ReturnType<typeof startFakeProvider>>;

beforeAll(async () => {
  target = createServer((req, res) => (req.resume(), res.end('ok')));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  provider = await startFakeProvider({ acceptTokens: [token] });
});
afterAll(async () => {
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
  await provider.close();
});
beforeEach(() => {
  provider.reset();
  provider.config.acceptTokens = [token];
});

function setup(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-cli-pub-'));
  writeFileSync(join(dir, 'p.yaml'), `test: {name: cli publish, duration: 1s, clients: [{rps: 20, endpoint_urls: ['${targetUrl}/']}]}\nmesh: {type: ISTIO}\n`);
  writeFileSync(join(dir, 'auth.json'), JSON.stringify({ 'meshery-provider': 'Layer5', token }));
  const { io, stdout, all } = cliIO({ cwd: dir, env });
  return { dir, io, out: stdout, all };
}

describe('meshspec smp run: publishing', () => {
  it('publishes with --provider-token-file (a whole auth.json) and prints the result id', async () => {
    const t = setup();
    const code = await runCli(['smp', 'run', '-f', 'p.yaml', '--provider-token-file', 'auth.json', '--provider-url', provider.url], t.io);
    expect(code, t.all()).toBe(0);
    expect(provider.results).toHaveLength(1);
    expect(t.out()).toContain(`result id: ${provider.results[0]!.id}`);
    expect(t.all()).not.toContain(token);
    expect(t.all()).not.toContain(access);
  });

  it('reads MESHSPEC_PROVIDER_TOKEN; a failed publish exits 3 and keeps the files, or warns with --publish-failure warn', async () => {
    provider.addFault({ method: 'POST', path: /\/results$/, status: 503, times: 100 });
    const t = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    const code = await runCli(['smp', 'run', '-f', 'p.yaml', '--provider-url', provider.url, '--provider-deadline', '2s'], t.io);
    expect(code).toBe(3);
    expect(existsSync(join(t.dir, 'meshspec-results/smp-result.json'))).toBe(true);
    expect(t.all()).toMatch(/NOT published/);
    expect(t.all()).not.toContain(token);

    const w = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    expect(await runCli(['smp', 'run', '-f', 'p.yaml', '--provider-url', provider.url, '--provider-deadline', '1s', '--publish-failure', 'warn'], w.io)).toBe(0);
  });

  it('a missed threshold and a failed publish: the lower code (1) wins, and both are reported', async () => {
    provider.config.acceptTokens = ['nobody'];
    const t = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    const code = await runCli(['smp', 'run', '-f', 'p.yaml', '--provider-url', provider.url, '--threshold', 'actual_qps>100000'], t.io);
    expect(code).toBe(1);
    expect(t.all()).toMatch(/actual_qps>100000 missed/);
    expect(t.all()).toMatch(/NOT published/);
  });

  it('refuses a plain-http provider off loopback before running anything (exit 2)', async () => {
    const t = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    expect(await runCli(['smp', 'run', '-f', 'p.yaml', '--provider-url', 'http://provider.example.invalid'], t.io)).toBe(2);
    expect(existsSync(join(t.dir, 'meshspec-results'))).toBe(false);
  });

  it('--profile-name fetches the saved profile from the provider, and needs a token', async () => {
    provider.profiles.push({ id: '4e1a3c2b-0000-4000-8000-000000000001', name: 'saved one', endpoints: [`${targetUrl}/saved`], qps: 20, concurrentRequest: 1, duration: '1s', loadGenerators: ['fortio'] });
    const t = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    expect(await runCli(['smp', 'run', '--profile-name', 'saved one', '--provider-url', provider.url], t.io), t.all()).toBe(0);
    const u = setup();
    expect(await runCli(['smp', 'run', '--profile-name', 'saved one'], u.io)).toBe(2);
    expect(u.all()).toMatch(/needs a provider token/);
  });
});

describe('meshspec publish', () => {
  it('publishes the files of an earlier run, and needs a token', async () => {
    const t = setup();
    expect(await runCli(['smp', 'run', '-f', 'p.yaml'], t.io)).toBe(0);
    expect(provider.requests).toHaveLength(0);
    const p = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    p.io.cwd = t.dir;
    expect(await runCli(['publish', '--provider-url', provider.url], p.io), p.all()).toBe(0);
    expect(provider.results).toHaveLength(1);
    expect((provider.profiles[0] as { name: string }).name).toBe('cli publish');
    const n = setup();
    n.io.cwd = t.dir;
    expect(await runCli(['publish'], n.io)).toBe(2);
    expect(n.all()).toMatch(/needs a provider token/);
    const e = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    expect(await runCli(['publish', '--provider-url', provider.url, '--out', 'nowhere'], e.io)).toBe(2);
    // The provider fails: exit 3, or a warning and 0 under --publish-failure warn.
    provider.addFault({ method: 'POST', path: /\/results$/, status: 503, times: 100 });
    const f = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    f.io.cwd = t.dir;
    expect(await runCli(['publish', '--provider-url', provider.url, '--provider-deadline', '1s'], f.io)).toBe(3);
    const w = setup({ MESHSPEC_PROVIDER_TOKEN: token });
    w.io.cwd = t.dir;
    expect(await runCli(['publish', '--provider-url', provider.url, '--provider-deadline', '1s', '--publish-failure', 'warn'], w.io), w.all()).toBe(0);
    expect(w.all()).toMatch(/NOT published/);
  });
});
