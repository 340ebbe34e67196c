import { existsSync } from 'node:fs';
import { MeshspecError } from '../errors.js';
import type { Logger } from '../log.js';
import { apiUrlFromEnv, createGitHubClient, messageOf, statusOf, type GitHubClient } from './client.js';
import * as inputs from './inputs.js';
import { maskSecret } from './mask.js';
import { attachFiles, findRelease } from './release-assets.js';
import { isForkPullRequest, pullRequestNumber, readRunContext, type RunContext } from './run-context.js';
import { defaultCommentKey, upsertStickyComment } from './sticky-comment.js';
import { setOutputs } from './summary.js';

/**
 * Where teams look (issue 14), shared by every action: the sticky PR comment and the release
 * assets. An action reads these inputs with its others (the token is masked at once) and calls
 * shareResults once its files exist.
 */

export interface GitHubInputs {
  comment: boolean;
  /** comment_key, or the job plus the matrix values. */
  key: string;
  attachToRelease: boolean;
  token?: string;
}

export function readGitHubInputs(): GitHubInputs {
  const token = inputs.optional('github_token');
  maskSecret(token);
  const explicit = inputs.optional('comment_key');
  return {
    comment: inputs.bool('comment', false),
    key: explicit ?? defaultCommentKey(process.env.GITHUB_JOB ?? '', inputs.optional('matrix')),
    attachToRelease: inputs.bool('attach_to_release', false),
    token,
  };
}

/** A client for this run, or the reason there is none. */
export function githubClientFor(gh: Pick<GitHubInputs, 'token'>, logger: Logger): { client: GitHubClient; ctx: RunContext; apiUrl: string } | { unavailable: string } {
  const ctx = readRunContext();
  if (!ctx) return { unavailable: 'GITHUB_REPOSITORY is not set (this is not a GitHub Actions run)' };
  if (!gh.token) return { unavailable: 'input github_token is empty; leave it at its default, ${{ github.token }}' };
  const apiUrl = apiUrlFromEnv();
  return { client: createGitHubClient({ token: gh.token, apiUrl, logger }), ctx, apiUrl };
}

export interface ShareRequest {
  /** `smp`, `smi`, `gamma`: one comment and one set of assets per action and key. */
  action: string;
  /** The comment's markdown (the marker is added). */
  markdown: string;
  /** Result files to attach; those that do not exist (report.html before issue 13) are skipped. */
  files: readonly string[];
}

export interface ShareOutcome {
  commentUrl?: string;
  releaseAssets: Array<{ name: string; url: string }>;
  /** `publish` when the release assets were asked for and could not be attached. */
  failureKind: 'none' | 'publish';
  failureMessage?: string;
}

async function comment(client: GitHubClient, ctx: RunContext, gh: GitHubInputs, request: ShareRequest, logger: Logger): Promise<string | undefined> {
  const issueNumber = pullRequestNumber(ctx);
  if (!issueNumber) {
    logger.info(`comment: true applies to pull_request events; this run is a ${ctx.eventName || 'unknown'} event, so no comment was written`);
    return undefined;
  }
  try {
    const res = await upsertStickyComment(client, { owner: ctx.owner, repo: ctx.repo, issueNumber, key: `${request.action}/${gh.key}` }, request.markdown);
    logger.info(`${res.created ? 'created' : 'updated'} the pull request comment ${res.url}`);
    return res.url;
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 404) {
      const why = isForkPullRequest(ctx)
        ? 'this pull request comes from a fork, whose GITHUB_TOKEN is read-only'
        : 'the token may not write comments: give the job `permissions: pull-requests: write` (or `issues: write`)';
      logger.notice(`no pull request comment: GitHub answered ${status} (${messageOf(error)}); ${why}. The results are in the job summary; to comment on fork PRs, use the workflow_run pattern in the README.`);
      return undefined;
    }
    logger.warn(`no pull request comment: ${messageOf(error)}`);
    return undefined;
  }
}

async function attach(client: GitHubClient, ctx: RunContext, apiUrl: string, gh: GitHubInputs, request: ShareRequest, logger: Logger): Promise<Pick<ShareOutcome, 'releaseAssets' | 'failureKind' | 'failureMessage'>> {
  const none = { releaseAssets: [], failureKind: 'none' as const };
  try {
    const release = await findRelease(client, ctx);
    if ('skip' in release) {
      logger.notice(release.skip);
      return none;
    }
    const files = request.files.filter((f) => existsSync(f));
    const assets = await attachFiles(client, ctx, release, files, `${request.action}-${gh.key}`, apiUrl, logger);
    return { releaseAssets: assets.map(({ name, url }) => ({ name, url })), failureKind: 'none' };
  } catch (error) {
    const status = statusOf(error);
    const message =
      error instanceof MeshspecError
        ? error.message
        : status === 403
          ? `the release assets were not attached: GitHub answered 403 (${messageOf(error)}); the job needs \`permissions: contents: write\``
          : `the release assets were not attached: ${messageOf(error)}`;
    logger.error(message);
    return { releaseAssets: [], failureKind: 'publish', failureMessage: message };
  }
}

/** The sticky comment and the release assets, as asked; sets comment_url and release_assets. */
export async function shareResults(gh: GitHubInputs, request: ShareRequest, logger: Logger): Promise<ShareOutcome> {
  let outcome: ShareOutcome = { releaseAssets: [], failureKind: 'none' };
  if (gh.comment || gh.attachToRelease) {
    const github = githubClientFor(gh, logger);
    if ('unavailable' in github) {
      logger.notice(`no pull request comment or release assets: ${github.unavailable}`);
    } else {
      const commentUrl = gh.comment ? await comment(github.client, github.ctx, gh, request, logger) : undefined;
      const release = gh.attachToRelease ? await attach(github.client, github.ctx, github.apiUrl, gh, request, logger) : { releaseAssets: [], failureKind: 'none' as const };
      outcome = { commentUrl, ...release };
    }
  }
  setOutputs({ comment_url: outcome.commentUrl ?? '', release_assets: JSON.stringify(outcome.releaseAssets) });
  return outcome;
}
