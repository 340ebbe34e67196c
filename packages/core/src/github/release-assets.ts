import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MeshspecError } from '../errors.js';
import type { Logger } from '../log.js';
import { messageOf, statusOf, uploadOriginAllowed, type GitHubClient } from './client.js';
import type { RunContext } from './run-context.js';

/**
 * Result files attached to the release being cut (issue 14): on a `release` event, or on a tag
 * push whose release already exists (a draft included). Each file is named per action and
 * comment_key, so a matrix's legs never overwrite each other, and a re-run replaces its own assets.
 *
 * GitHub's immutable releases freeze a release's assets when it is published: an upload then
 * answers 422 "Cannot upload assets to an immutable release." The way through is
 * draft → attach → publish, which the error says.
 */

export interface ReleaseRef {
  id: number;
  tag: string;
  draft: boolean;
  immutable: boolean;
  uploadUrl: string;
}

export interface AttachedAsset {
  name: string;
  url: string;
  replaced: boolean;
}

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.xml': 'application/xml', '.md': 'text/markdown; charset=utf-8', '.html': 'text/html; charset=utf-8' };

function contentTypeOf(file: string): string {
  const ext = /\.[a-z]+$/i.exec(file)?.[0]?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** `smp-linux-amd64-smp-result.json`: asset names allow no slashes. */
function assetName(prefix: string, file: string): string {
  return `${prefix}-${basename(file)}`.replace(/[^A-Za-z0-9._+-]+/g, '-');
}

type ReleaseData = { id: number; tag_name: string; draft: boolean; upload_url: string; immutable?: boolean };
const refOf = (r: ReleaseData): ReleaseRef => ({ id: r.id, tag: r.tag_name, draft: r.draft, immutable: r.immutable === true, uploadUrl: r.upload_url });

/** The release this run belongs to, or why there is none. */
export async function findRelease(client: GitHubClient, ctx: RunContext): Promise<ReleaseRef | { skip: string }> {
  const { owner, repo } = ctx;
  if (ctx.eventName === 'release' && ctx.payload.release) {
    // The payload is a snapshot from when the event fired; the release may have been published since.
    const { data } = await client.rest.repos.getRelease({ owner, repo, release_id: ctx.payload.release.id });
    return refOf(data as ReleaseData);
  }
  const tag = ctx.eventName === 'push' && ctx.ref.startsWith('refs/tags/') ? ctx.ref.slice('refs/tags/'.length) : undefined;
  if (!tag) return { skip: `attach_to_release applies to release events and tag pushes; this run is a ${ctx.eventName || 'unknown'} event on ${ctx.ref || 'no ref'}, so nothing was attached` };
  try {
    const { data } = await client.rest.repos.getReleaseByTag({ owner, repo, tag });
    return refOf(data as ReleaseData);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  // Drafts have no tag yet as far as getReleaseByTag is concerned; the list shows them to a token with push access.
  for await (const page of client.paginate.iterator(client.rest.repos.listReleases, { owner, repo, per_page: 100 })) {
    const hit = page.data.find((r) => r.tag_name === tag);
    if (hit) return refOf(hit as ReleaseData);
  }
  return { skip: `no release exists for tag ${tag}, so nothing was attached. Create the release (a draft is enough) before the tag's workflow runs, or run on "release" events` };
}

function immutableError(release: ReleaseRef): MeshspecError {
  return new MeshspecError(
    'publish',
    `release ${release.tag} is published and immutable (GitHub's immutable releases freeze assets at publication), so GitHub refused the upload (422). ` +
      'Attach results while the release is a draft: create the release as a draft, run this workflow with attach_to_release: true on the tag push, then publish the release.',
  );
}

/** Uploads the files (those that exist) to the release, replacing assets of the same name. */
export async function attachFiles(client: GitHubClient, ctx: Pick<RunContext, 'owner' | 'repo'>, release: ReleaseRef, files: readonly string[], prefix: string, apiUrl: string, logger: Logger): Promise<AttachedAsset[]> {
  const { owner, repo } = ctx;
  if (release.immutable && !release.draft) throw immutableError(release);
  const uploadUrl = release.uploadUrl.replace(/\{[^}]*\}$/, '');
  if (!uploadOriginAllowed(uploadUrl, apiUrl)) throw new MeshspecError('publish', `release ${release.tag}: its upload URL ${new URL(uploadUrl).origin} is not GitHub's upload host for ${apiUrl}; the token is not sent there`);
  const existing = await client.paginate(client.rest.repos.listReleaseAssets, { owner, repo, release_id: release.id, per_page: 100 });
  const out: AttachedAsset[] = [];
  for (const file of files) {
    const name = assetName(prefix, file);
    const old = existing.find((a) => a.name === name);
    try {
      // An asset name is unique per release (a second upload is 422 already_exists): replace means delete, then upload.
      if (old) await client.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: old.id });
      const data = readFileSync(file);
      const res = await client.request({
        method: 'POST',
        url: `${uploadUrl}?name=${encodeURIComponent(name)}`,
        headers: { 'content-type': contentTypeOf(file) },
        data,
      });
      const asset = res.data as { name: string; browser_download_url: string };
      out.push({ name: asset.name, url: asset.browser_download_url, replaced: old !== undefined });
      logger.info(`${old ? 'replaced' : 'attached'} ${asset.name} on release ${release.tag}${release.draft ? ' (draft)' : ''}`);
    } catch (error) {
      if (statusOf(error) === 422 && /immutable/i.test(messageOf(error))) throw immutableError(release);
      throw error;
    }
  }
  return out;
}
