import { getOctokit } from '@actions/github';
import { throttling } from '@octokit/plugin-throttling';
import { inputError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The one GitHub REST client (issue 14): @actions/github's Octokit with
 * @octokit/plugin-throttling, which queues writes (GitHub asks for one at a time, a second apart)
 * and waits out primary (`x-ratelimit-reset`) and secondary (`retry-after`) rate limits.
 * The token goes only to GITHUB_API_URL, and to the upload host GitHub names for it
 * (uploadOriginAllowed).
 */
export type GitHubClient = ReturnType<typeof getOctokit>;

/** Retries of one request after a rate limit; a limit that lasts longer than this fails the call. */
const MAX_RATE_LIMIT_RETRIES = 2;
const MAX_WAIT_S = 90;

/** GITHUB_API_URL (the runner sets it; GHES has its own), https only except on loopback. */
export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const raw = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw inputError(`GITHUB_API_URL "${raw}" is not a URL`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw inputError(`GITHUB_API_URL ${raw}: the token is sent only over https`);
  return raw;
}

/**
 * Release assets go to the release's `upload_url`: uploads.github.com for github.com, the API
 * host itself on GHES (`https://HOST/api/uploads`) and in tests. Anything else would receive the
 * token, so it is refused.
 */
export function uploadOriginAllowed(uploadUrl: string, apiUrl: string): boolean {
  const up = new URL(uploadUrl);
  const api = new URL(apiUrl);
  if (up.origin === api.origin) return true;
  return api.hostname === 'api.github.com' && up.protocol === 'https:' && up.hostname === 'uploads.github.com';
}

export function createGitHubClient(options: { token: string; apiUrl: string; logger: Logger }): GitHubClient {
  const { logger } = options;
  const wait = (kind: string, retryAfter: number, request: { method: string; url: string }, retryCount: number): boolean => {
    if (retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_WAIT_S) {
      logger.warn(`GitHub ${kind} rate limit on ${request.method} ${request.url}: retrying in ${retryAfter} s`);
      return true;
    }
    logger.warn(`GitHub ${kind} rate limit on ${request.method} ${request.url}: giving up (retry after ${retryAfter} s)`);
    return false;
  };
  return getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      throttle: {
        onRateLimit: (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => wait('primary', retryAfter, request, retryCount),
        onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => wait('secondary', retryAfter, request, retryCount),
      },
    },
    throttling,
  );
}

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  const s = (error as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** GitHub's own message from an error response, for the user. */
export function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } } | null)?.response?.data;
  return typeof data?.message === 'string' ? data.message : (error as Error).message;
}
