// The sticky PR comment and the release assets against the fake GitHub REST API: the exact
// requests made, the marker found across pages, asset replacement, and the refusals GitHub gives
// (a fork's read-only token, an immutable release, a secondary rate limit).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, uploadOriginAllowed } from '../../packages/core/src/github/client.js';
import { attachFiles, findRelease } from '../../packages/core/src/github/release-assets.js';
import type { RunContext } from '../../packages/core/src/github/run-context.js';
import { shareResults, type GitHubInputs } from '../../packages/core/src/github/share-results.js';
import { defaultCommentKey, markerFor, upsertStickyComment } from '../../packages/core/src/github/sticky-comment.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { startFakeGitHub } from '../support/fake-github.mjs';

const WRITE = 'ghs_write_token';
const FORK = 'ghs_fork_token';

type Fake = Awaited<ReturnType<typeof startFakeGitHub>>;
let gh: Fake;
let logger: MemoryLogger;

beforeEach(async () => {
  gh = await startFakeGitHub();
  logger = new MemoryLogger();
});
afterEach(() => gh.close());

const client = (token = WRITE) => createGitHubClient({ token, apiUrl: gh.url, logger });
const ctxOf = (over: Partial<RunContext> = {}): RunContext => ({ owner: 'octo', repo: 'mesh', eventName: 'pull_request', ref: 'refs/pull/7/merge', job: 'perf', payload: { pull_request: { number: 7 } }, ...over });

describe('comment key and marker', () => {
  it('defaults to the job plus the matrix values, sorted by matrix key', () => {
    expect(defaultCommentKey('perf', 'null')).toBe('perf');
    expect(defaultCommentKey('perf', '')).toBe('perf');
    expect(defaultCommentKey('perf', JSON.stringify({ os: 'ubuntu-24.04', mesh: 'linkerd' }))).toBe('perf-linkerd-ubuntu-24.04');
    expect(defaultCommentKey('perf', JSON.stringify({ cfg: { rps: 10 } }))).toBe('perf-rps-10');
  });

  it('can never close its HTML comment early', () => {
    expect(markerFor('a --> b <!-- c')).toBe('<!-- meshspec:a-b-c -->');
  });
});

describe('sticky pull request comment', () => {
  const list = (page?: number) => `GET /repos/octo/mesh/issues/7/comments?${page ? `page=${page}&` : ''}per_page=100`;

  it('is created once, then updated in place, found again across pages; never a second create', async () => {
    gh.addComments(7, Array.from({ length: 250 }, (_, i) => `comment ${i} mentioning <!-- meshspec:smp/perf --> inside, not first`));
    const target = { owner: 'octo', repo: 'mesh', issueNumber: 7, key: 'smp/perf' };

    const first = await upsertStickyComment(client(), target, '## run 1');
    expect(first.created).toBe(true);
    expect(gh.calls()).toEqual([list(), list(2), list(3), 'POST /repos/octo/mesh/issues/7/comments']);
    expect(gh.requests.at(-1)!.body).toEqual({ body: '<!-- meshspec:smp/perf -->\n## run 1' });

    gh.requests.length = 0;
    const second = await upsertStickyComment(client(), target, '## run 2');
    expect(second).toEqual({ id: first.id, url: first.url, created: false });
    // The comment is the 251st: on the third page of 100.
    expect(gh.calls()).toEqual([list(), list(2), list(3), `PATCH /repos/octo/mesh/issues/comments/${first.id}`]);
    const comments = gh.state.comments.get(7)!;
    expect(comments).toHaveLength(251);
    expect(comments.filter((c) => c.body.startsWith('<!-- meshspec:'))).toEqual([expect.objectContaining({ id: first.id, body: '<!-- meshspec:smp/perf -->\n## run 2' })]);

    // Another key (another matrix leg) gets its own comment.
    const other = await upsertStickyComment(client(), { ...target, key: 'smp/perf-istio' }, '## leg 2');
    expect(other.created).toBe(true);
    expect(gh.state.comments.get(7)).toHaveLength(252);
  });

  it('stops paging at the first page that has the marker', async () => {
    const target = { owner: 'octo', repo: 'mesh', issueNumber: 7, key: 'smp/perf' };
    await upsertStickyComment(client(), target, 'first');
    gh.addComments(7, Array.from({ length: 150 }, (_, i) => `later ${i}`));
    gh.requests.length = 0;
    await upsertStickyComment(client(), target, 'again');
    expect(gh.calls()).toEqual([list(), expect.stringMatching(/^PATCH /)]);
  });

  it('waits out a secondary rate limit (retry-after) and creates exactly one comment', async () => {
    gh.secondaryRateLimit({ method: 'POST', path: /\/issues\/7\/comments$/, times: 1, retryAfter: 1 });
    const res = await upsertStickyComment(client(), { owner: 'octo', repo: 'mesh', issueNumber: 7, key: 'smp/perf' }, 'x');
    expect(res.created).toBe(true);
    expect(gh.calls((r) => r.method === 'POST')).toEqual(['POST /repos/octo/mesh/issues/7/comments', 'POST /repos/octo/mesh/issues/7/comments']);
    expect(gh.state.comments.get(7)).toHaveLength(1);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('secondary rate limit') }));
  });
});

describe('shareResults (the step every action calls)', () => {
  const env = { ...process.env };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshspec-share-'));
    process.env.GITHUB_API_URL = gh.url;
    process.env.GITHUB_REPOSITORY = 'octo/mesh';
    delete process.env.GITHUB_OUTPUT;
  });
  afterEach(() => {
    process.env = { ...env };
  });
  const event = (name: string, payload: object, ref = '') => {
    const p = join(dir, 'event.json');
    writeFileSync(p, JSON.stringify(payload));
    Object.assign(process.env, { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: p, GITHUB_REF: ref });
  };
  const inputs = (over: Partial<GitHubInputs> = {}): GitHubInputs => ({ comment: true, key: 'perf', attachToRelease: false, token: WRITE, ...over });
  const request = () => ({ action: 'smp', markdown: '## result', files: [] });

  it('a fork PR (read-only token, 403) is a notice, and the step carries on', async () => {
    event('pull_request', { pull_request: { number: 7, head: { repo: { full_name: 'someone/mesh' } } } });
    const out = await shareResults(inputs({ token: FORK }), request(), logger);
    expect(out).toEqual({ commentUrl: undefined, releaseAssets: [], failureKind: 'none' });
    const notice = logger.lines.find((l) => l.level === 'notice')!;
    expect(notice.message).toContain('GitHub answered 403 (Resource not accessible by integration)');
    expect(notice.message).toContain('comes from a fork');
    expect(notice.message).toContain('workflow_run');
    expect(gh.state.comments.get(7) ?? []).toHaveLength(0);
  });

  it('writes no comment outside a pull request', async () => {
    event('push', {}, 'refs/heads/main');
    await shareResults(inputs(), request(), logger);
    expect(gh.requests).toHaveLength(0);
    expect(logger.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('applies to pull_request events'));
  });

  it('a tag push with no release is a notice', async () => {
    event('push', {}, 'refs/tags/v9.9.9');
    const out = await shareResults(inputs({ comment: false, attachToRelease: true }), request(), logger);
    expect(out.failureKind).toBe('none');
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'notice', message: expect.stringContaining('no release exists for tag v9.9.9') }));
  });

  it('an immutable published release is refused (422) and explained: draft, attach, publish', async () => {
    const release = gh.addRelease({ tag: 'v1.0.0', immutable: true });
    event('release', { release: { id: release.id, tag_name: 'v1.0.0' } }, 'refs/tags/v1.0.0');
    const file = join(dir, 'smp-result.json');
    writeFileSync(file, '{}');
    const out = await shareResults(inputs({ comment: false, attachToRelease: true }), { ...request(), files: [file] }, logger);
    expect(out.failureKind).toBe('publish');
    expect(out.failureMessage).toContain('release v1.0.0 is published and immutable');
    expect(out.failureMessage).toContain('create the release as a draft, run this workflow with attach_to_release: true on the tag push, then publish the release');
    expect(release.assets).toHaveLength(0);
  });
});

describe('release assets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshspec-assets-'));
  });
  const files = (content: string) => {
    const a = join(dir, 'smp-result.json');
    const b = join(dir, 'report.html');
    writeFileSync(a, content);
    writeFileSync(b, `<p>${content}</p>`);
    return [a, b];
  };
  const tagPush = ctxOf({ eventName: 'push', ref: 'refs/tags/v1.2.0', payload: {} });

  it('finds a draft by listing (drafts have no tag for getReleaseByTag), attaches, and a re-run replaces its own assets', async () => {
    const release = gh.addRelease({ tag: 'v1.2.0', draft: true });
    const found = await findRelease(client(), tagPush);
    expect(found).toMatchObject({ id: release.id, draft: true });
    expect(gh.calls()).toEqual(['GET /repos/octo/mesh/releases/tags/v1.2.0', 'GET /repos/octo/mesh/releases?per_page=100']);
    if ('skip' in found) throw new Error(found.skip);

    gh.requests.length = 0;
    const first = await attachFiles(client(), tagPush, found, files('run 1'), 'smp-perf-linkerd', gh.url, logger);
    expect(first.map((a) => [a.name, a.replaced])).toEqual([['smp-perf-linkerd-smp-result.json', false], ['smp-perf-linkerd-report.html', false]]);
    const upload = (name: string) => `POST /uploads/repos/octo/mesh/releases/${release.id}/assets?name=${name}`;
    expect(gh.calls()).toEqual([`GET /repos/octo/mesh/releases/${release.id}/assets?per_page=100`, upload('smp-perf-linkerd-smp-result.json'), upload('smp-perf-linkerd-report.html')]);
    expect(release.assets.map((a) => a.content_type)).toEqual(['application/json', 'text/html; charset=utf-8']);

    // Another matrix leg's assets are left alone.
    gh.state.releases[0]!.assets.push({ id: 1, name: 'smp-perf-istio-smp-result.json', size: 1, content_type: 'application/json', data: Buffer.from('x') });
    const [oldResult, oldReport] = release.assets.map((a) => a.id);
    gh.requests.length = 0;
    const second = await attachFiles(client(), tagPush, found, files('run 2'), 'smp-perf-linkerd', gh.url, logger);
    expect(second.every((a) => a.replaced)).toBe(true);
    expect(gh.calls()).toEqual([
      `GET /repos/octo/mesh/releases/${release.id}/assets?per_page=100`,
      `DELETE /repos/octo/mesh/releases/assets/${oldResult}`,
      upload('smp-perf-linkerd-smp-result.json'),
      `DELETE /repos/octo/mesh/releases/assets/${oldReport}`,
      upload('smp-perf-linkerd-report.html'),
    ]);
    expect(release.assets.map((a) => [a.name, a.data.toString()])).toEqual([
      ['smp-perf-istio-smp-result.json', 'x'],
      ['smp-perf-linkerd-smp-result.json', 'run 2'],
      ['smp-perf-linkerd-report.html', '<p>run 2</p>'],
    ]);
  });

  it('detects the 422 of an immutable release even when the release does not say so up front', async () => {
    const release = gh.addRelease({ tag: 'v1.2.0', immutable: true });
    const ref = { id: release.id, tag: 'v1.2.0', draft: false, immutable: false, uploadUrl: `${gh.url}/uploads/repos/octo/mesh/releases/${release.id}/assets{?name,label}` };
    await expect(attachFiles(client(), tagPush, ref, files('x'), 'smp-perf', gh.url, logger)).rejects.toThrow(/published and immutable .*422.*draft/);
    expect(gh.calls((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('sends the token to no upload host but GitHub\'s own', () => {
    expect(uploadOriginAllowed('https://uploads.github.com/repos/o/r/releases/1/assets', 'https://api.github.com')).toBe(true);
    expect(uploadOriginAllowed('https://ghe.example.com/api/uploads/repos/o/r/releases/1/assets', 'https://ghe.example.com/api/v3')).toBe(true);
    expect(uploadOriginAllowed('https://evil.example.com/upload', 'https://api.github.com')).toBe(false);
    expect(uploadOriginAllowed('http://uploads.github.com/x', 'https://api.github.com')).toBe(false);
  });
});
