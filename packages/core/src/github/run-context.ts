import { readFileSync } from 'node:fs';

/**
 * What the runner tells a step about the run (the GITHUB_* variables and the event payload),
 * read when asked rather than at import (as @actions/github's `context` does), so one process can
 * be pointed at another run in tests.
 */
export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** `refs/tags/v1.2.0`, `refs/heads/main`, `refs/pull/7/merge`. */
  ref: string;
  runId?: number;
  job: string;
  payload: EventPayload;
}

interface EventPayload {
  pull_request?: { number: number; head?: { repo?: { full_name?: string } | null } };
  release?: { id: number; tag_name: string; draft?: boolean };
  repository?: { default_branch?: string; full_name?: string };
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext | undefined {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) return undefined;
  let payload: EventPayload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
    } catch {
      /* no payload: the features that need one say so */
    }
  }
  const runId = Number(env.GITHUB_RUN_ID);
  return {
    owner,
    repo,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    runId: Number.isInteger(runId) && runId > 0 ? runId : undefined,
    job: env.GITHUB_JOB ?? '',
    payload,
  };
}

/** The pull request a comment goes on: pull_request and pull_request_target events only. */
export function pullRequestNumber(ctx: RunContext): number | undefined {
  if (ctx.eventName !== 'pull_request' && ctx.eventName !== 'pull_request_target') return undefined;
  return ctx.payload.pull_request?.number;
}

/** A pull request from another repository: its GITHUB_TOKEN is read-only. */
export function isForkPullRequest(ctx: RunContext): boolean {
  const head = ctx.payload.pull_request?.head?.repo?.full_name;
  return head !== undefined && head !== `${ctx.owner}/${ctx.repo}`;
}
