import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import type { Logger } from '../log.js';
import { REPORT_FILE } from '../report/html/index.js';
import { reportLinkMarkdown } from '../report/html/summary-link.js';
import type { GitHubLogger } from './logger.js';
import type { ArtifactInputs } from './publish-inputs.js';
import { writeJobSummary } from './summary.js';

/** Artifact names may not contain these (the artifact service rejects them). */
const FORBIDDEN = /["':<>|*?\\/\r\n]/;

export function validArtifactName(name: string): boolean {
  return name.trim() !== '' && !FORBIDDEN.test(name);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  try {
    if (statSync(dir).isDirectory()) walk(dir);
  } catch {
    /* nothing written */
  }
  return out;
}

/**
 * Uploads the output directory as a workflow artifact, from the main step: a post step runs after
 * the user's own steps, so what only a post step wrote could not be used by them. A failed upload
 * warns: the files are still on the runner, and the result itself is not at stake.
 */
export async function uploadOutputDir(dir: string, name: string, logger: Logger): Promise<{ id?: number; size?: number } | undefined> {
  const files = filesUnder(dir);
  if (files.length === 0) {
    logger.info(`nothing to upload: ${dir} is empty`);
    return undefined;
  }
  if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
    logger.notice(`the artifact was not uploaded: the Actions runtime is not available here (ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL); the files stay in ${dir}`);
    return undefined;
  }
  try {
    const client = new DefaultArtifactClient();
    const res = await client.uploadArtifact(name, files, dir, { retentionDays: undefined });
    logger.info(`uploaded ${files.length} file${files.length === 1 ? '' : 's'} from ${relative(process.cwd(), dir) || dir} as artifact "${name}"`);
    return { id: res.id, size: res.size };
  } catch (error) {
    logger.warn(`the artifact "${name}" was not uploaded: ${(error as Error).message}. The files stay in ${dir}.`);
    return undefined;
  }
}

/** The artifact's page on GitHub, when the run's coordinates are known (GitHub's UI URL for an artifact). */
function artifactUrl(id: number | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId } = env;
  return id !== undefined && server && repo && runId ? `${server}/${repo}/actions/runs/${runId}/artifacts/${id}` : undefined;
}

/**
 * Uploads the output directory when the inputs ask for it, then points the job summary at
 * report.html: in the artifact (named, and linked when GitHub gave an id), or on the runner.
 */
export async function uploadAndLinkReport(outDir: string, artifact: ArtifactInputs, logger: GitHubLogger): Promise<void> {
  const uploaded = artifact.upload ? await logger.group('Artifact', () => uploadOutputDir(outDir, artifact.name, logger)) : undefined;
  // A run that failed before its results (a cluster that never came up) has no page to point at.
  if (!existsSync(join(outDir, REPORT_FILE))) return;
  await writeJobSummary(reportLinkMarkdown({ outDir, artifact: uploaded ? { name: artifact.name, url: artifactUrl(uploaded.id) } : undefined }));
}
