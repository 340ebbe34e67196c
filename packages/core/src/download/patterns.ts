import { inputError } from '../errors.js';

/**
 * Strict patterns for every value that ends up in a download URL, a tool-cache path or a command
 * line. Inputs are checked against them before use, so a workflow cannot smuggle `../`, a query
 * string or a shell metacharacter into a path or URL.
 */
export const PATTERNS = {
  /** A release version: `1.38.1`, `v1.38.1`, `v1.2.4`, `1.30.3`, `v0.0.0-alpha.2`. */
  semver: /^v?\d{1,4}\.\d{1,4}\.\d{1,6}(?:-[0-9A-Za-z][0-9A-Za-z.-]{0,40})?$/,
  /** Linkerd's channels: `edge-26.8.3`, `stable-2.14.10`. */
  linkerd: /^(?:edge|stable)-\d{1,4}\.\d{1,4}\.\d{1,6}$/,
  /** A Kubernetes version as minikube takes it: `v1.35.1` (or `1.35.1`, normalised to `v1.35.1`). */
  kubernetes: /^v?\d{1,2}\.\d{1,3}\.\d{1,3}$/,
  /** A tool-cache name, also used as a directory name. */
  toolName: /^[a-z][a-z0-9-]{0,40}$/,
  /** A tool-cache architecture key. */
  arch: /^(?:amd64|arm64)$/,
  /** A GitHub `owner/repo`. */
  repo: /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/,
  /** A release asset or file name. */
  assetName: /^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$/,
  /** A minikube profile (also a kube context name). */
  profile: /^[a-z0-9][a-z0-9-]{0,40}$/,
  /** A minikube driver or container runtime. */
  word: /^[a-z][a-z0-9-]{0,30}$/,
  /** A lowercase sha256 digest. */
  sha256: /^[0-9a-f]{64}$/,
} as const;

/** Checks `value` against a pattern; an error names the input and what it accepts. */
export function requirePattern(value: string, pattern: RegExp, where: string, example: string): string {
  if (!pattern.test(value)) {
    throw inputError(`${where}: "${value}" is not valid; expected something like ${example}`);
  }
  return value;
}

/** A release version (`1.38.1` or `v1.38.1`). */
export function requireVersion(value: string, where: string, pattern: RegExp = PATTERNS.semver, example = 'v1.38.1'): string {
  return requirePattern(value.trim(), pattern, where, example);
}

/** A Kubernetes version, normalised to minikube's `v1.35.1` form. */
export function requireKubernetesVersion(value: string, where: string): string {
  const v = requirePattern(value.trim(), PATTERNS.kubernetes, where, 'v1.35.1');
  return v.startsWith('v') ? v : `v${v}`;
}

/** `v1.38.1` -> `1.38.1`: the form some projects use in asset names and tool-cache keys. */
export function withoutV(version: string): string {
  return version.replace(/^v(?=\d)/, '');
}

/** `1.38.1` -> `v1.38.1`. */
export function withV(version: string): string {
  return /^\d/.test(version) ? `v${version}` : version;
}
