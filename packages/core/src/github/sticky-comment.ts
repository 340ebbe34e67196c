import type { GitHubClient } from './client.js';

/**
 * One pull-request comment per action and key, created once and then edited in place: a matrix of
 * twelve legs re-run five times leaves twelve comments, each with the latest result. The comment
 * is found by a hidden marker in its body, looked for on every page of the PR's comments.
 */

/** Characters a key keeps; the rest become `-`, so a marker can never close its HTML comment. */
const KEY_CHARS = /[^A-Za-z0-9._/=+-]+/g;

function sanitizeKey(key: string): string {
  return key.replace(KEY_CHARS, '-').replace(/-{2,}/g, '-').replace(/^-|-$/g, '').slice(0, 200);
}

/**
 * The default comment_key: the job id plus the matrix values, because every leg of a matrix
 * shares GITHUB_JOB. `matrixJson` is `${{ toJSON(matrix) }}` (the `matrix` input's default):
 * `null` outside a matrix. Keys are sorted so the key does not depend on the matrix's order.
 */
export function defaultCommentKey(job: string, matrixJson: string | undefined): string {
  let values: string[] = [];
  const text = matrixJson?.trim();
  if (text && text !== 'null') {
    let matrix: unknown;
    try {
      matrix = JSON.parse(text);
    } catch {
      matrix = undefined;
    }
    if (matrix && typeof matrix === 'object' && !Array.isArray(matrix)) {
      values = Object.keys(matrix)
        .sort()
        .map((k) => {
          const v = (matrix as Record<string, unknown>)[k];
          return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
        });
    }
  }
  return sanitizeKey([job || 'job', ...values].join('-'));
}

export function markerFor(key: string): string {
  return `<!-- meshspec:${sanitizeKey(key)} -->`;
}

/** GitHub refuses comment bodies over 65536 characters. */
const MAX_BODY = 65_536;

function withMarker(marker: string, body: string): string {
  const full = `${marker}\n${body}`;
  if (full.length <= MAX_BODY) return full;
  const note = '\n\n_(cut to fit GitHub\'s comment limit; the full result is in the job summary and the artifact)_';
  return full.slice(0, MAX_BODY - note.length) + note;
}

export interface StickyCommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  /** Already includes the action: `smp/<comment_key>`. */
  key: string;
}

export interface StickyCommentResult {
  id: number;
  url: string;
  created: boolean;
}

/** Creates the comment, or edits the one that carries the marker. */
export async function upsertStickyComment(client: GitHubClient, target: StickyCommentTarget, body: string): Promise<StickyCommentResult> {
  const marker = markerFor(target.key);
  const text = withMarker(marker, body);
  const { owner, repo, issueNumber } = target;
  let existing: { id: number } | undefined;
  // Page by page, stopping at the first hit: a busy PR can have hundreds of comments.
  for await (const page of client.paginate.iterator(client.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 })) {
    existing = page.data.find((c) => typeof c.body === 'string' && c.body.startsWith(marker));
    if (existing) break;
  }
  if (existing) {
    const res = await client.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text });
    return { id: res.data.id, url: res.data.html_url, created: false };
  }
  const res = await client.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: text });
  return { id: res.data.id, url: res.data.html_url, created: true };
}
