// smp-action's bundle where teams look (issue 14), against the fake GitHub REST API: the sticky
// PR comment across runs and matrix legs, the regression gate with its outputs, and the release
// assets of a draft, replaced on a re-run. The token is never printed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeBinaries, runActionBundle } from '../support/action-runner.mjs';
import { requires } from '../support/requires.mjs';
import { startFakeGitHub } from '../support/fake-github.mjs';

const bundle = resolve(import.meta.dirname, '../../smp-action/dist/index.js');
const TOKEN = 'ghs_write_token';

let server: Server;
let url: string;
let delayMs = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (delayMs) setTimeout(() => res.end('ok'), delayMs);
    else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

type Fake = Awaited<ReturnType<typeof startFakeGitHub>>;
let gh: Fake;
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(() => gh.close());

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'meshspec-gates-ws-'));
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, '.github/load.yaml'), `test:\n  name: gates\n  duration: 1s\n  clients:\n    - {connections: 16, rps: 40, endpoint_urls: ['${url}/']}\n`);
  return ws;
}

function eventEnv(ws: string, name: string, payload: object, ref: string) {
  const path = join(ws, `event-${name}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'octo/mesh', GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path, GITHUB_REF: ref, GITHUB_JOB: 'perf' };
}

const node = nodeBinaries()[0]!;

describe('smp-action bundle: comment, gate and release assets', () => {
  const run = (ws: string, inputs: Record<string, string>, env: Record<string, string>) =>
    runActionBundle({ bundle, node: node.path!, workspace: ws, inputs: { profile_filename: 'load.yaml', upload_artifact: 'false', github_token: TOKEN, ...inputs }, env });

  it('a pull request: the comment is created once and updated; a baseline ten times faster fails the step naming p99', async (ctx) => {
    requires(ctx, node.skipReason);
    const ws = workspace();
    const env = eventEnv(ws, 'pull_request', { pull_request: { number: 12, head: { repo: { full_name: 'octo/mesh' } } } }, 'refs/pull/12/merge');
    gh.addComments(12, Array.from({ length: 120 }, (_, i) => `review comment ${i}`));
    const matrix = JSON.stringify({ mesh: 'linkerd' });

    delayMs = 0;
    const first = await run(ws, { comment: 'true', matrix, output_dir: 'base' }, env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs).toMatchObject({ baseline_source: 'none', regression: 'false', deltas: '' });
    const comments = () => (gh.state.comments.get(12) ?? []).filter((c) => c.body.startsWith('<!-- meshspec:'));
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toMatch(/^<!-- meshspec:smp\/perf-linkerd -->\n## SMP run “gates”: ✅ passed/);
    expect(first.outputs.comment_url).toBe(comments()[0]!.html_url);

    const baseP99 = JSON.parse(readFileSync(join(ws, 'base/smp-result.json'), 'utf8')).latencies_ms.p99;
    delayMs = Math.max(40, Math.ceil(baseP99 * 10) + 10);
    gh.requests.length = 0;
    const slow = await run(ws, { comment: 'true', matrix, baseline: 'base/smp-result.json', regression: 'p99:+10%', output_dir: 'slow' }, env);
    expect(slow.code, `${slow.stdout}\nbaseline p99 ${baseP99} ms, delay ${delayMs} ms`).not.toBe(0);
    expect(slow.outputs.failure_kind).toBe('test');
    expect(slow.outputs).toMatchObject({ baseline_source: 'file', regression: 'true' });
    expect(slow.stdout).toMatch(/::error::.*1 regression against the baseline \(base\/smp-result\.json\): p99:\+10%25 exceeded: p99 rose from [\d.]+ ms \(baseline\) to [\d.]+ ms/); // % is %25 in a workflow command
    const deltas = JSON.parse(slow.outputs.deltas!);
    expect(deltas.checks[0]).toMatchObject({ rule: 'p99:+10%', passed: false });
    // Updated in place, found on the second page of comments; never a second create.
    expect(gh.calls((r) => r.method !== 'GET')).toEqual([`PATCH /repos/octo/mesh/issues/comments/${comments()[0]!.id}`]);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('### ❌ Regression against the baseline: 1 of 1 rule broken');
    expect(slow.summary).toContain('| p99 | ');

    // Another matrix leg has its own comment.
    delayMs = 0;
    const leg = await run(ws, { comment: 'true', matrix: JSON.stringify({ mesh: 'istio' }), output_dir: 'leg' }, env);
    expect(leg.code).toBe(0);
    expect(comments().map((c) => c.body.split('\n')[0])).toEqual(['<!-- meshspec:smp/perf-linkerd -->', '<!-- meshspec:smp/perf-istio -->']);
    // The only place the token appears is the runner's own mask command.
    for (const r of [first, slow, leg]) expect((r.stdout + r.stderr + r.summary).replaceAll(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  });

  it('a tag push with a draft release: the results are attached, and a re-run replaces its own assets', async (ctx) => {
    requires(ctx, node.skipReason);
    const ws = workspace();
    const release = gh.addRelease({ tag: 'v2.0.0', draft: true });
    const env = eventEnv(ws, 'push', {}, 'refs/tags/v2.0.0');
    delayMs = 0;
    const first = await run(ws, { attach_to_release: 'true', comment_key: 'bench' }, env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const names = ['smp-bench-smp-result.json', 'smp-bench-fortio.json', 'smp-bench-summary.md', 'smp-bench-report.html'];
    expect(release.assets.map((a) => a.name)).toEqual(names);
    expect(JSON.parse(first.outputs.release_assets!).map((a: { name: string }) => a.name)).toEqual(names);
    const firstIds = release.assets.map((a) => a.id);

    gh.requests.length = 0;
    const again = await run(ws, { attach_to_release: 'true', comment_key: 'bench' }, env);
    expect(again.code).toBe(0);
    expect(release.assets.map((a) => a.name)).toEqual(names);
    expect(release.assets.map((a) => a.id).some((id) => firstIds.includes(id))).toBe(false);
    expect(gh.calls((r) => r.method === 'DELETE')).toEqual(firstIds.map((id) => `DELETE /repos/octo/mesh/releases/assets/${id}`));
  });
});
