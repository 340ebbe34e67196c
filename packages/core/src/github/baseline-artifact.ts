import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { parseBaselineText, type Baseline } from '../smp/regression.js';
import type { GitHubClient } from './client.js';
import type { RunContext } from './run-context.js';

/**
 * `baseline: artifact`: the smp-result.json of the newest successful run of this same workflow on
 * the default branch, from the artifact of the same name this step uploads. Listing runs and
 * downloading another run's artifact need `actions: read`.
 */

export interface ArtifactBaselineQuery {
  artifactName: string;
  /** The file inside the artifact. */
  file: string;
  /** How many of the newest successful runs are looked through for the artifact. */
  maxRuns?: number;
}

export type ArtifactBaselineOutcome = { found: Baseline; runId: number } | { missing: string };

/** @actions/artifact's public-API download: GITHUB_API_URL, then a redirect to blob storage that never gets the token. */
async function download(artifactId: number, o: { path: string; token: string; runId: number; owner: string; repo: string }): Promise<void> {
  await new DefaultArtifactClient().downloadArtifact(artifactId, {
    path: o.path,
    findBy: { token: o.token, workflowRunId: o.runId, repositoryOwner: o.owner, repositoryName: o.repo },
  });
}

export async function findArtifactBaseline(
  client: GitHubClient,
  ctx: RunContext,
  token: string,
  query: ArtifactBaselineQuery,
): Promise<ArtifactBaselineOutcome> {
  const { owner, repo } = ctx;
  if (!ctx.runId) return { missing: 'GITHUB_RUN_ID is not set, so the workflow of this run is unknown' };
  const { data: thisRun } = await client.rest.actions.getWorkflowRun({ owner, repo, run_id: ctx.runId });
  const branch = ctx.payload.repository?.default_branch ?? (await client.rest.repos.get({ owner, repo })).data.default_branch;
  const looked = `artifact "${query.artifactName}" (${query.file}) from the newest successful run of workflow ${thisRun.workflow_id} on ${branch}`;
  const { data } = await client.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: thisRun.workflow_id, branch, status: 'success', per_page: query.maxRuns ?? 10 });
  const runs = data.workflow_runs.filter((r) => r.id !== ctx.runId);
  if (runs.length === 0) return { missing: `${looked}: there is no successful run yet` };
  for (const run of runs) {
    const { data: list } = await client.rest.actions.listWorkflowRunArtifacts({ owner, repo, run_id: run.id, name: query.artifactName, per_page: 10 });
    const artifact = list.artifacts.find((a) => a.name === query.artifactName && !a.expired);
    if (!artifact) continue;
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-baseline-'));
    await download(artifact.id, { path: dir, token, runId: run.id, owner, repo });
    const path = join(dir, query.file);
    const location = `artifact "${query.artifactName}" of run ${run.id} (${run.html_url})`;
    if (!existsSync(path)) return { missing: `${looked}: ${location} has no ${query.file}` };
    return { found: { source: 'artifact', location, result: parseBaselineText(readFileSync(path, 'utf8'), location) }, runId: run.id };
  }
  return { missing: `${looked}: none of the ${runs.length} newest successful run${runs.length === 1 ? '' : 's'} has it (or it expired)` };
}
