import { inputError } from '../errors.js';

/** Where release assets come from when no mirror is set. */
export const GITHUB = 'https://github.com';
/** GitHub's REST API, for release asset digests. */
export const GITHUB_API = 'https://api.github.com';

/**
 * The download mirror (input `download_mirror`, env `MESHSPEC_DOWNLOAD_MIRROR`), for runners
 * without GitHub access. It stands in for `https://github.com` in release URLs, so minikube comes
 * from `<mirror>/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64`, with the
 * `.sha256` beside it. Files from other hosts (get.helm.sh, chart repositories, Kuma's package
 * host, api.github.com) are looked up under `<mirror>/<host>/<path>`, one rule for every host.
 *
 * Returns the normalised mirror base (no trailing slash), or undefined when none is set.
 */
export function resolveMirror(input: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = (input && input.trim()) || env.MESHSPEC_DOWNLOAD_MIRROR?.trim() || '';
  if (raw === '') return undefined;
  const where = input && input.trim() ? 'download_mirror' : 'MESHSPEC_DOWNLOAD_MIRROR';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw inputError(`${where}: "${raw}" is not a URL; use the base URL of the mirror, e.g. https://mirror.example.com/github`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw inputError(`${where}: "${raw}" must use https (plain http is accepted only for a loopback address)`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw inputError(`${where}: "${raw}" must be a plain base URL without credentials, query or fragment`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Rewrites an upstream URL to the mirror's layout (see resolveMirror). Without a mirror, returns the URL. */
export function throughMirror(url: string, mirror: string | undefined): string {
  if (!mirror) return url;
  const u = new URL(url);
  if (u.origin === GITHUB) return `${mirror}${u.pathname}${u.search}`;
  return `${mirror}/${u.host}${u.pathname}${u.search}`;
}

/** `https://github.com/<repo>/releases/download/<tag>/<asset>`, through the mirror when one is set. */
export function githubReleaseUrl(repo: string, tag: string, asset: string, mirror?: string): string {
  return throughMirror(`${GITHUB}/${repo}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(asset)}`, mirror);
}
