import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBinaries, runActionBundle } from '../support/action-runner.mjs';
import { requires } from '../support/requires.mjs';
import { validatorFor } from '../../packages/core/src/schemas/index.js';

// The committed bundle, run the way the GitHub runner runs it (INPUT_*, GITHUB_OUTPUT, ...).
const bundle = resolve(import.meta.dirname, '../../smp-action/dist/index.js');

let server: Server;
let url: string;
let flaky = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/slow') setTimeout(() => res.end('slow'), 50);
    else if (req.url?.startsWith('/flaky')) {
      flaky++;
      res.statusCode = flaky % 4 === 0 ? 503 : 200;
      res.end('x');
    } else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function workspaceWith(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'meshspec-smp-ws-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(ws, name, '..'), { recursive: true });
    writeFileSync(join(ws, name), text);
  }
  return ws;
}

const profile = (duration = '2s', rps = 50) => `test:
  name: runner protocol
  duration: ${duration}
  clients:
    - connections: 2
      rps: ${rps}
      headers: {authorization: 'Bearer sekret-header-value'}
      endpoint_urls: ['${url.replace('http://', 'http://user:sekret-url-password@')}/']
mesh:
  type: 3
`;

for (const node of nodeBinaries()) {
  describe(`smp-action bundle on ${node.label}`, () => {
    it('runs a good profile: outputs, summary, files, exit 0', async (ctx) => {
      requires(ctx, node.skipReason);
      // Meshery's layout: the profile under .github/, named without the folder.
      const ws = workspaceWith({ '.github/load-test.yaml': profile() });
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, inputs: { profile_filename: 'load-test.yaml', thresholds: 'error_rate<1%\np99<2000ms', platform: 'docker' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs.failure_kind).toBe('none');
      expect(Number(r.outputs.actual_qps)).toBeGreaterThan(40);
      expect(Number(r.outputs.p99_ms)).toBeGreaterThan(0);
      expect(Number(r.outputs.error_rate)).toBe(0);
      expect(r.outputs.result_file).toBe(join(ws, 'meshspec-results/smp-result.json'));
      const result = JSON.parse(readFileSync(r.outputs.result_file, 'utf8'));
      expect(validatorFor('smp-result.schema.json')(result)).toBe(true);
      expect(result.mesh.type).toBe(3);
      expect(existsSync(join(ws, 'meshspec-results/fortio.json'))).toBe(true);
      expect(r.summary).toMatch(/p99/);
      expect(r.summary).toMatch(/mermaid/);
      // Each phase with its duration closes the summary.
      expect(r.summary).toMatch(/### Phases\n\n\| Phase \| Duration \|\n\|---\|---:\|\n\| Load \| \d+\.\d s \|\n\| Publish \| [\d.]+ s \|/);
      expect(r.stdout).toMatch(/::notice.*platform/);
      // Secrets in the profile never reach a log line, the summary or a file.
      // The runner consumes ::add-mask:: lines (they register the masks); everything else is the log.
      const log = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::'));
      const everything = [...log, r.summary, readFileSync(r.outputs.result_file, 'utf8'), readFileSync(join(ws, 'meshspec-results/fortio.json'), 'utf8')].join('\n');
      expect(everything).not.toContain('sekret-header-value');
      expect(everything).not.toContain('sekret-url-password');
    });

    it('rejects an invalid profile with exit 1, failure_kind=input and an annotation on the file', async (ctx) => {
      requires(ctx, node.skipReason);
      const ws = workspaceWith({ 'perf/bad.yaml': 'test:\n  duration: soon\n  clients:\n    - endpoint_urls: [not-a-url]\n' });
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, inputs: { profile_filename: 'perf/bad.yaml' } });
      expect(r.code).toBe(1);
      expect(r.outputs.failure_kind).toBe('input');
      expect(r.stdout).toMatch(/::error file=perf\/bad\.yaml::perf\/bad\.yaml: \$\.test\.duration: /);
      expect(r.stdout).toMatch(/\$\.test\.clients\[0\]\.endpoint_urls\[0\]: "not-a-url" is not an absolute URL/);
      expect(existsSync(join(ws, 'meshspec-results/smp-result.json'))).toBe(false);
    });

    it('fails a missed threshold with exit 1, failure_kind=test, and still writes the results', async (ctx) => {
      requires(ctx, node.skipReason);
      const ws = workspaceWith({ 'p.yaml': profile('1s', 20) });
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, inputs: { profile_filename: 'p.yaml', thresholds: 'actual_qps>=100000' } });
      expect(r.code).toBe(1);
      expect(r.outputs.failure_kind).toBe('test');
      expect(r.stdout).toMatch(/::error::.*actual_qps>=100000 missed: actual_qps was/);
      expect(existsSync(join(ws, 'meshspec-results/smp-result.json'))).toBe(true);
      expect(r.summary).toMatch(/actual\\?_qps\\?>=100000/);
    });

    it('fails a run in which no request succeeded: failure_kind=test, the cause, empty latency outputs', async (ctx) => {
      requires(ctx, node.skipReason);
      const dead = await new Promise<number>((done) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const port = (s.address() as AddressInfo).port;
          s.close(() => done(port));
        });
      });
      const ws = workspaceWith({});
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, inputs: { endpoint_url: `http://127.0.0.1:${dead}/`, duration: '1s', rps: '0', upload_artifact: 'false' } });
      expect(r.code, r.stdout).toBe(1);
      expect(r.outputs.failure_kind).toBe('test');
      // A closed loop against a refused port: every attempt failed at once, none waited in a
      // histogram, so there is no latency at all.
      expect(r.stdout).toMatch(/::error::no request succeeded \((\d+) failed, 0 cut, 0 unsent of \1 intended\): refused ×\1 \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/m);
      // An annotation points at a file only when there is one: this profile came from endpoint_url.
      expect(r.stdout).not.toMatch(/::error file=/);
      expect(r.stdout).not.toMatch(/minikube/);
      const result = JSON.parse(readFileSync(join(ws, 'meshspec-results/smp-result.json'), 'utf8'));
      expect(result.stats.ok).toBe(0);
      expect(result.latencies_ms.p50).toBeNull();
      expect(r.outputs.p50_ms).toBe('');
      expect(r.outputs.p99_ms).toBe('');
      expect(r.outputs.latencies_lower_bound).toBe('false');
      expect(r.outputs.success_qps).toBe('0');
      for (const k of ['intended', 'sent', 'unsent', 'ok', 'failed', 'cut']) expect(r.outputs[k], k).toBe(String(result.stats[k]));
      expect(Number(r.outputs.sent) + Number(r.outputs.unsent)).toBe(Number(r.outputs.intended));
      expect(r.summary).toMatch(/^## ❌ SMP run .* failed: no request succeeded$/m);
    });

    it('passes errors no threshold covers with a warning that gives the error rate', async (ctx) => {
      requires(ctx, node.skipReason);
      const ws = workspaceWith({});
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, inputs: { endpoint_url: `${url}/flaky`, duration: '1s', rps: '40', thresholds: 'p99<5s', upload_artifact: 'false' } });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.failure_kind).toBe('none');
      // The runner's command protocol escapes % as %25.
      expect(r.stdout.replace(/%25/g, '%')).toMatch(/::warning::\d+ of \d+ requests failed \(error rate 2\d(\.\d+)?%\), and no threshold covers errors .*HTTP 503 ×\d+/);
      expect(Number(r.outputs.success_qps)).toBeLessThan(Number(r.outputs.actual_qps));
    });

    it('masks ?sig=, ?jwt=, X-Signature and names from the redact input in the log, the summary and every file', async (ctx) => {
      requires(ctx, node.skipReason);
      const ws = workspaceWith({
        'p.yaml': `test:\n  duration: 1s\n  clients:\n    - connections: 1\n      rps: 10\n      headers: {X-Signature: LEAKXSIG1, X-Tenant: LEAKTENANT2}\n      endpoint_urls: ['${url}/?sig=LEAKSIG3&jwt=LEAKJWT4&page=2']\n`,
      });
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, inputs: { profile_filename: 'p.yaml', redact: 'x-tenant', thresholds: 'p99<0.001ms', upload_artifact: 'false' } });
      expect(r.outputs.failure_kind).toBe('test');
      const files = ['smp-result.json', 'fortio.json', 'summary.md'].map((f) => readFileSync(join(ws, 'meshspec-results', f), 'utf8'));
      // The runner masks what ::add-mask:: registered; the lines themselves are the registration.
      const log = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
      for (const text of [log, r.summary, ...files]) expect(text).not.toMatch(/LEAK/);
      expect(r.stdout).toMatch(/::add-mask::LEAKXSIG1/);
    });

    it('stops on SIGTERM mid-run and writes the partial result marked cancelled', async (ctx) => {
      requires(ctx, node.skipReason);
      const ws = workspaceWith({ 'p.yaml': profile('60s', 100) });
      const started = Date.now();
      const r = await runActionBundle({ bundle, node: node.path, workspace: ws, inputs: { profile_filename: 'p.yaml' }, signalWhen: '2s/60s]' });
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.code).toBe(1);
      expect(r.outputs.failure_kind).toBe('cancelled');
      const result = JSON.parse(readFileSync(join(ws, 'meshspec-results/smp-result.json'), 'utf8'));
      expect(result.stats.cancelled).toBe(true);
      expect(result.stats.requests).toBeGreaterThan(50);
      expect(result.stats.duration_s).toBeLessThan(30);
    });
  });
}
