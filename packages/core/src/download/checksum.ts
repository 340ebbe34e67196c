import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PATTERNS } from './patterns.js';

/** The sha256 of a file, lowercase hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Finds the digest for `assetName` in a published checksum file. One parser for the formats the
 * projects we download use (research/release-assets.md, "Checksum formats at a glance"):
 * - hex only (minikube, helm `.sha256`, linkerd up to edge-25.9.3, linkerd-smi);
 * - `sha256sum` lines `<hex>  <name>` or `<hex> *<name>` (osm `sha256sums.txt`, helm `.sha256sum`);
 * - `<hex> <name>` with one space (istioctl).
 * A file with a single hex token is taken as is; otherwise the line naming the asset is used.
 * Returns undefined when the file holds no digest for the asset.
 */
export function parseChecksumFile(text: string, assetName: string): string | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 1) {
    const only = lines[0]!.split(/\s+/);
    if (only.length === 1) return normalizeHex(only[0]!);
  }
  for (const line of lines) {
    const [hex, rawName] = line.split(/\s+/, 2);
    if (!hex || !rawName) continue;
    const name = rawName.replace(/^\*/, '').replace(/^\.\//, '');
    if (name === assetName || name.endsWith(`/${assetName}`)) return normalizeHex(hex);
  }
  return undefined;
}

/** GitHub's Releases API gives `digest: "sha256:<hex>"` for assets uploaded since 2025-06-03. */
export function parseGithubDigest(digest: unknown): string | undefined {
  if (typeof digest !== 'string') return undefined;
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(digest.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

function normalizeHex(hex: string): string | undefined {
  const h = hex.trim().toLowerCase();
  return PATTERNS.sha256.test(h) ? h : undefined;
}
