import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uploadOutputDir } from '../../packages/core/src/github/artifact.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { startFakeArtifactService, readZip, runtimeTokenFor } from '../support/fake-artifact-service.mjs';
import { nodeBinaries, runActionBundle } from '../support/action-runner.mjs';
import { requires } from '../support/requires.mjs';

// The real @actions/artifact client (DefaultArtifactClient.uploadArtifact) against a local fake of
// the Actions results service and the blob storage its signed URL points to: CreateArtifact, Put
// Block, Put Block List, FinalizeArtifact. No network.

type Fake = Awaited<ReturnType<typeof startFakeArtifactService>>;

// Proxy variables are cleared too: the Azure SDK would send the blob requests for 127.0.0.1 through a proxy.
const RUNTIME_VARS = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'GITHUB_SERVER_URL', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'] as const;
const savedEnv = Object.fromEntries(RUNTIME_VARS.map((k) => [k, process.env[k]]));
const services: Fake[] = [];

afterEach(async () => {
  for (const k of RUNTIME_VARS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function service(options?: Parameters<typeof startFakeArtifactService>[0]): Promise<Fake> {
  const s = await startFakeArtifactService(options);
  services.push(s);
  return s;
}

/** Sets the runtime variables as the runner does for a step (github.com, not GHES: the client refuses GHES). */
function useRuntime(s: Fake): void {
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[k];
  Object.assign(process.env, s.env(), { GITHUB_SERVER_URL: 'https://github.com' });
}

function outputDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-artifact-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

const binary = randomBytes(300_000); // incompressible, so deflate stores it, and large enough to matter
const sample = {
  'smp-result.json': '{"name":"artifact test","stats":{"requests":20}}\n',
  'summary.md': '# SMP\n\n| p99 | 3 ms |\n',
  'raw/fortio.json': JSON.stringify({ DurationHistogram: { Count: 20 } }),
  'raw/deeper/blob.bin': binary,
};

describe('the fake itself', () => {
  it('issues a runtime token with the scope the client reads, and reads what archiver writes', async () => {
    const token = runtimeTokenFor('run-1', 'job-2');
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(payload.scp.split(' ')).toContain('Actions.Results:run-1:job-2');
    expect(() => readZip(Buffer.from('not a zip at all, not even close to 22 bytes'))).toThrow(/not a zip/);
  });
});

describe('uploadOutputDir with the real @actions/artifact client', () => {
  it('uploads every file, nested ones included, under the given name, and returns the id', async () => {
    const s = await service();
    useRuntime(s);
    const dir = outputDir(sample);
    const logger = new MemoryLogger();
    const res = await uploadOutputDir(dir, 'meshspec-smp-perf', logger);

    expect(s.artifacts).toHaveLength(1);
    const a = s.artifacts[0];
    expect(a.name).toBe('meshspec-smp-perf');
    expect(a.finalized).toBe(true);
    expect(a.mimeType).toBe('application/zip');
    expect(a.workflowRunBackendId).toBe(s.workflowRunBackendId);
    expect(Object.keys(a.files).sort()).toEqual(['raw/deeper/blob.bin', 'raw/fortio.json', 'smp-result.json', 'summary.md']);
    for (const [name, data] of Object.entries(sample)) expect(a.files[name].equals(Buffer.from(data)), name).toBe(true);
    expect(res).toEqual({ id: a.id, size: a.size });
    expect(res?.size).toBeGreaterThan(binary.length);
    expect(logger.text('info')).toMatch(/uploaded 4 files from .* as artifact "meshspec-smp-perf"/);
    expect(logger.text('warn')).toBe('');
    // The protocol the client spoke: the blob went up as staged blocks and a committed block list.
    expect(s.requests.map((r) => `${r.op} ${r.status}`)).toEqual(['CreateArtifact 200', 'blob:block 201', 'blob:blocklist 201', 'FinalizeArtifact 200']);
  });

  it('takes the root directory with a trailing slash: the paths in the artifact are the same', async () => {
    const s = await service();
    useRuntime(s);
    const dir = outputDir({ 'a.txt': 'a', 'sub/b.txt': 'b' });
    const res = await uploadOutputDir(`${dir}/`, 'trailing', new MemoryLogger());
    expect(res?.id).toBe(1);
    expect(Object.keys(s.artifact('trailing')?.files ?? {}).sort()).toEqual(['a.txt', 'sub/b.txt']);
  });

  it('without the Actions runtime: a notice, and the service is never called', async () => {
    const s = await service();
    delete process.env.ACTIONS_RUNTIME_TOKEN;
    delete process.env.ACTIONS_RESULTS_URL;
    const dir = outputDir(sample);
    const logger = new MemoryLogger();
    expect(await uploadOutputDir(dir, 'x', logger)).toBeUndefined();
    expect(logger.text('notice')).toMatch(/not uploaded: the Actions runtime is not available.*ACTIONS_RUNTIME_TOKEN/);
    expect(s.requests).toEqual([]);
  });

  it('an empty or missing directory: nothing is uploaded, even with the runtime there', async () => {
    const s = await service();
    useRuntime(s);
    const empty = mkdtempSync(join(tmpdir(), 'meshspec-artifact-empty-'));
    mkdirSync(join(empty, 'only-a-dir'));
    const logger = new MemoryLogger();
    expect(await uploadOutputDir(empty, 'x', logger)).toBeUndefined();
    expect(await uploadOutputDir(join(empty, 'missing'), 'x', logger)).toBeUndefined();
    expect(logger.text('info')).toMatch(/nothing to upload/);
    expect(logger.text('warn')).toBe('');
    expect(s.requests).toEqual([]);
  });

  it('a service that refuses CreateArtifact: a warning, no throw, the files stay', async () => {
    const s = await service({ failCreate: 403 });
    useRuntime(s);
    const dir = outputDir(sample);
    const logger = new MemoryLogger();
    await expect(uploadOutputDir(dir, 'refused', logger)).resolves.toBeUndefined();
    expect(logger.text('warn')).toMatch(/the artifact "refused" was not uploaded: .*CreateArtifact.*403.*The files stay in /);
    expect(s.artifacts).toEqual([]);
    expect(s.requests.map((r) => r.op)).toEqual(['CreateArtifact']); // 403 is not retried
    for (const name of Object.keys(sample)) expect(existsSync(join(dir, name)), name).toBe(true);
  });

  it('a blob store that rejects the upload: a warning, nothing finalized, the files stay', async () => {
    const s = await service({ failBlock: { times: 1, status: 403 } });
    useRuntime(s);
    const dir = outputDir(sample);
    const logger = new MemoryLogger();
    await expect(uploadOutputDir(dir, 'rejected', logger)).resolves.toBeUndefined();
    expect(logger.text('warn')).toMatch(/the artifact "rejected" was not uploaded: .*(Signature|Injected)/);
    expect(s.artifacts.filter((a) => a.finalized)).toEqual([]);
    expect(s.requests.map((r) => r.op)).not.toContain('FinalizeArtifact');
    expect(readFileSync(join(dir, 'raw/deeper/blob.bin')).equals(binary)).toBe(true);
  });

  it('a busy blob store (one 503 on a block) is retried by the SDK: the artifact arrives whole', async () => {
    const s = await service({ failBlock: 1 });
    useRuntime(s);
    const dir = outputDir(sample);
    const logger = new MemoryLogger();
    const res = await uploadOutputDir(dir, 'retried', logger);
    expect(res?.id).toBe(1);
    expect(s.requests.filter((r) => r.op === 'blob:block').map((r) => r.status)).toEqual([503, 201]);
    expect(s.artifact('retried')?.files['raw/deeper/blob.bin'].equals(binary)).toBe(true);
    expect(logger.text('warn')).toBe('');
  });

  it('a name already used in the run (a matrix without its own names): a warning, the first artifact intact', async () => {
    const s = await service();
    useRuntime(s);
    const logger = new MemoryLogger();
    expect(await uploadOutputDir(outputDir({ 'a.txt': 'first' }), 'same', logger)).toEqual({ id: 1, size: expect.any(Number) });
    expect(await uploadOutputDir(outputDir({ 'a.txt': 'second' }), 'same', logger)).toBeUndefined();
    expect(logger.text('warn')).toMatch(/the artifact "same" was not uploaded: .*409.*already exists/);
    expect(s.artifacts).toHaveLength(1);
    expect(s.artifacts[0].files['a.txt'].toString()).toBe('first');
  });
});

// The committed smp-action bundle, run as the runner runs it, with the fake's runtime variables.
const bundle = resolve(import.meta.dirname, '../../smp-action/dist/index.js');
let target: Server;
let targetUrl: string;

beforeAll(async () => {
  target = createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
});

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'meshspec-artifact-ws-'));
  writeFileSync(
    join(ws, 'p.yaml'),
    `test:
  name: artifact upload
  duration: 1s
  clients:
    - connections: 1
      rps: 20
      endpoint_urls: ['${targetUrl}/']
`,
  );
  return ws;
}

for (const node of nodeBinaries()) {
  describe(`smp-action bundle uploads its output directory (${node.label})`, () => {
    it('uploads smp-result.json, fortio.json and summary.md as the artifact named by artifact_name, once', async (ctx) => {
      requires(ctx, node.skipReason);
      const s = await service();
      const ws = workspace();
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, env: s.env(), inputs: { profile_filename: 'p.yaml', artifact_name: 'perf-results-1' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.post?.code).toBe(0);
      expect(s.artifacts.map((a) => a.name)).toEqual(['perf-results-1']); // the post step does not upload again
      const a = s.artifacts[0];
      expect(a.finalized).toBe(true);
      expect(Object.keys(a.files)).toEqual(expect.arrayContaining(['smp-result.json', 'fortio.json', 'summary.md', 'report.html']));
      const out = join(ws, 'meshspec-results');
      // The job summary names the artifact and the page in it.
      expect(r.summary).toMatch(/📊 \*\*The report page\*\*: download the artifact \[perf-results-1\]\(https:\/\/github\.com\/.+\/actions\/runs\/\d+\/artifacts\/\d+\) and open `report\.html`/);
      for (const name of ['smp-result.json', 'fortio.json', 'summary.md', 'report.html']) expect(a.files[name].equals(readFileSync(join(out, name))), name).toBe(true);
      expect(JSON.parse(a.files['smp-result.json'].toString('utf8')).stats.requests).toBeGreaterThan(0);
      expect(r.stdout).toMatch(/as artifact "perf-results-1"/);
      expect(r.stdout).not.toMatch(/::warning::/);
    });

    it('names the artifact meshspec-smp-<job> without artifact_name, and uploads nothing with upload_artifact: false', async (ctx) => {
      requires(ctx, node.skipReason);
      const s = await service();
      const named = await runActionBundle({ bundle, node: node.path, workspace: workspace(), env: { ...s.env(), GITHUB_JOB: 'perf' }, inputs: { profile_filename: 'p.yaml' }, post: false });
      expect(named.code, named.stdout + named.stderr).toBe(0);
      expect(s.artifacts.map((a) => a.name)).toEqual(['meshspec-smp-perf']);

      const requestsBefore = s.requests.length;
      const ws = workspace();
      const off = await runActionBundle({ bundle, node: node.path, workspace: ws, env: s.env(), inputs: { profile_filename: 'p.yaml', upload_artifact: false, artifact_name: 'not-wanted' } });
      expect(off.code, off.stdout + off.stderr).toBe(0);
      expect(s.requests.length).toBe(requestsBefore);
      expect(s.artifact('not-wanted')).toBeUndefined();
      expect(existsSync(join(ws, 'meshspec-results/smp-result.json'))).toBe(true);
    });
  });
}
