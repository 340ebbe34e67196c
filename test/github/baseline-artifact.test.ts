// `baseline: artifact` against the fake GitHub REST API, downloaded by the real @actions/artifact
// client: the newest successful run of the same workflow on the default branch is chosen, and the
// token never reaches the blob store the download is redirected to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext, makeRun } from '../support/load-run.js';
import { startFakeGitHub } from '../support/fake-github.mjs';

const TOKEN = 'ghs_write_token';
const gh = await startFakeGitHub();
// @actions/github reads GITHUB_API_URL when it is first imported, and @actions/artifact's download
// uses that default: set it before anything imports them.
process.env.GITHUB_API_URL = gh.url;
const { createGitHubClient } = await import('../../packages/core/src/github/client.js');
const { findArtifactBaseline } = await import('../../packages/core/src/github/baseline-artifact.js');
const { MemoryLogger } = await import('../../packages/core/src/log.js');
const { buildSmpResult } = await import('../../packages/core/src/smp/result.js');

const resultAt = (ms: number) => JSON.stringify(buildSmpResult(makeRun({ correctedUs: Array(100).fill(ms * 1000) }), makeContext()));

describe('baseline: artifact', () => {
  const ctx = (runId: number) => ({ owner: 'octo', repo: 'mesh', eventName: 'pull_request', ref: 'refs/pull/3/merge', runId, job: 'perf', payload: {} });
  let current: { id: number };
  let chosen: { id: number };

  beforeAll(() => {
    const at = (m: number) => `2026-11-30T10:${String(m).padStart(2, '0')}:00Z`;
    const older = gh.addRun({ createdAt: at(1) });
    gh.addArtifact({ runId: older.id, name: 'meshspec-smp-perf', files: { 'smp-result.json': resultAt(50) } });
    chosen = gh.addRun({ createdAt: at(2) });
    gh.addArtifact({ runId: chosen.id, name: 'meshspec-smp-perf', files: { 'smp-result.json': resultAt(5), 'summary.md': '#' } });
    gh.addArtifact({ runId: chosen.id, name: 'meshspec-smp-other-leg', files: { 'smp-result.json': resultAt(500) } });
    // Newer, but not what a baseline may be: a failed run, a run on another branch, another workflow.
    const failed = gh.addRun({ createdAt: at(3), conclusion: 'failure' });
    gh.addArtifact({ runId: failed.id, name: 'meshspec-smp-perf', files: { 'smp-result.json': resultAt(1) } });
    const branch = gh.addRun({ createdAt: at(4), branch: 'feature' });
    gh.addArtifact({ runId: branch.id, name: 'meshspec-smp-perf', files: { 'smp-result.json': resultAt(1) } });
    gh.addRun({ createdAt: at(5), workflowId: 8 });
    current = gh.addRun({ createdAt: at(6), branch: 'feature', event: 'pull_request', conclusion: null as unknown as string });
  });
  afterAll(() => gh.close());

  it('chooses the newest successful run of the same workflow on the default branch, with exact requests', async () => {
    const client = createGitHubClient({ token: TOKEN, apiUrl: gh.url, logger: new MemoryLogger() });
    const out = await findArtifactBaseline(client, ctx(current.id), TOKEN, { artifactName: 'meshspec-smp-perf', file: 'smp-result.json' });
    if (!('found' in out)) throw new Error(out.missing);
    expect(out.runId).toBe(chosen.id);
    expect(out.found.source).toBe('artifact');
    expect(out.found.location).toBe(`artifact "meshspec-smp-perf" of run ${chosen.id} (https://github.com/octo/mesh/actions/runs/${chosen.id})`);
    expect(out.found.result.latencies_ms.p99).toBe(5);

    const artifactId = gh.state.artifacts.find((a) => a.run_id === chosen.id && a.name === 'meshspec-smp-perf')!.id;
    expect(gh.calls()).toEqual([
      `GET /repos/octo/mesh/actions/runs/${current.id}`,
      'GET /repos/octo/mesh',
      'GET /repos/octo/mesh/actions/workflows/7/runs?branch=main&per_page=10&status=success',
      `GET /repos/octo/mesh/actions/runs/${chosen.id}/artifacts?name=meshspec-smp-perf&per_page=10`,
      `GET /repos/octo/mesh/actions/artifacts/${artifactId}/zip`,
      `GET /_blob/artifacts/${artifactId}.zip?sig=sig-${artifactId}`,
    ]);
    const blob = gh.requests.find((r) => r.path.startsWith('/_blob/'))!;
    expect(blob.authorization, 'the token never goes to the blob store').toBeUndefined();
    expect(gh.requests.filter((r) => !r.path.startsWith('/_blob/')).every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('is missing (a notice, never a failure) when no successful run has the artifact, naming what was looked for', async () => {
    const client = createGitHubClient({ token: TOKEN, apiUrl: gh.url, logger: new MemoryLogger() });
    const out = await findArtifactBaseline(client, ctx(current.id), TOKEN, { artifactName: 'meshspec-smp-new-leg', file: 'smp-result.json' });
    expect(out).toEqual({ missing: 'artifact "meshspec-smp-new-leg" (smp-result.json) from the newest successful run of workflow 7 on main: none of the 2 newest successful runs has it (or it expired)' });
  });
});
