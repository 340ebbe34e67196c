import { infraError } from '../errors.js';
import { parseGithubDigest } from './checksum.js';
import { GITHUB_API, throughMirror } from './mirror.js';
import { deadlineSignal } from '../wait.js';

export interface ReleaseAssetRef {
  /** `owner/repo`. */
  repo: string;
  tag: string;
  asset: string;
}

export interface GithubApiOptions {
  mirror?: string;
  /** Sent only to api.github.com itself, never to a mirror or another host. */
  token?: string;
  signal?: AbortSignal;
}

/** The URL of `GET /repos/{repo}/releases/tags/{tag}`, through the mirror when one is set. */
export function releaseByTagUrl(repo: string, tag: string, mirror?: string): string {
  return throughMirror(`${GITHUB_API}/repos/${repo}/releases/tags/${encodeURIComponent(tag)}`, mirror);
}

/**
 * The sha256 GitHub computed for a release asset (`assets[].digest`, filled for assets uploaded
 * since 2025-06-03). Used where a project publishes no checksum file (Linkerd edge since
 * edge-25.9.4, Fortio). A missing or null digest is an error: we never fall back to trusting the
 * bytes.
 */
export async function fetchGithubAssetDigest(ref: ReleaseAssetRef, options: GithubApiOptions = {}): Promise<string> {
  const url = releaseByTagUrl(ref.repo, ref.tag, options.mirror);
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'meshspec',
  };
  if (options.token && new URL(url).origin === GITHUB_API) headers.authorization = `Bearer ${options.token}`;
  const signal = deadlineSignal(30_000, options.signal);
  let body: { assets?: { name?: string; digest?: unknown }[] };
  try {
    const res = await fetch(url, { headers, signal });
    if (!res.ok) {
      const hint = res.status === 403 || res.status === 429 ? ' (rate limited: pass github_token)' : '';
      throw new Error(`HTTP ${res.status}${hint}`);
    }
    body = (await res.json()) as typeof body;
  } catch (error) {
    throw infraError(`could not read the digest of ${ref.asset} from GitHub's Releases API (${url}): ${(error as Error).message}`, { cause: error });
  }
  const asset = body.assets?.find((a) => a.name === ref.asset);
  if (!asset) throw infraError(`release ${ref.repo}@${ref.tag} has no asset named ${ref.asset} (${url})`);
  const digest = parseGithubDigest(asset.digest);
  if (!digest) {
    throw infraError(
      `release ${ref.repo}@${ref.tag}: GitHub gives no sha256 digest for ${ref.asset} (assets uploaded before 2025-06-03 have none); ` +
        'pick a version that has one, or set allow_unverified_download: true to accept it unverified',
    );
  }
  return digest;
}
