import { inputError, infraError } from '../errors.js';
import { formatGoDuration } from '../duration.js';
import type { Logger } from '../log.js';
import type { DownloadRequest } from '../download/download-verified.js';
import { githubReleaseUrl } from '../download/mirror.js';
import { PATTERNS, requireKubernetesVersion, requirePattern, requireVersion, withV } from '../download/patterns.js';
import { describeExit, runCommand, type RunResult } from '../exec.js';
import type { Platform } from './platform.js';

/** minikube's latest release (research/release-assets.md §1). */
export const MINIKUBE_DEFAULT_VERSION = 'v1.38.1';
/** What minikube v1.38.1 defaults to, and the newest it supports; the oldest is v1.28.0. */
export const KUBERNETES_DEFAULT_VERSION = 'v1.35.1';
/** Our profile, so `cluster down` never touches a user's own `minikube` profile. */
export const DEFAULT_PROFILE = 'meshspec';
export const DEFAULT_DRIVER = 'docker';
/** `minikube start --wait-timeout`: how long minikube itself waits for the components. */
export const DEFAULT_WAIT_TIMEOUT_MS = 6 * 60_000;

/**
 * sha256 of each minikube binary of a pinned version, so a tampered mirror is caught for the
 * default version even though it also serves the `.sha256` beside the binary. The digests are
 * minikube's own release data (kubernetes/minikube `deploy/minikube/releases-v2.json`, the file
 * `minikube update-check` reads; copied in test/fixtures/checksums/minikube-releases-v1.38.json,
 * which minikube.test.ts compares this table with).
 */
export const MINIKUBE_PINNED_SHA256: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [MINIKUBE_DEFAULT_VERSION]: {
    'darwin-amd64': 'db11dffba835609988e4e98c3a91a38653ce66ddfa8ea3aaea92d87c54a0a348',
    'linux-amd64': '099477eaf248bcb5bcea8ce78a2898e93ac01461c35189da1848c3de82ecd22e',
    'windows-amd64': '04215bec5632a976b48eb632856b50f1eaaa183b9c2a5904e11d1bacc4961ff7',
    'darwin-arm64': 'f9b0c70bb7daf38c683c0b6e46dc1b612600247ae826bf74576807746a919ee8',
    'linux-arm64': 'a0b8a1ebfc8c07a247271d8df98ac0ddd7c8c855b601d402463e2e50c08c6bab',
    'linux-ppc64le': '579e0662bb19f5ef64e3c49bdd68df670a614688d8c6850d29439a7af4482827',
    'linux-s390x': '2efcd1de476cafe21653abdf99947dae8ca9007d817de76c72020791c95d1182',
  },
};

/** `minikube-linux-amd64`, `minikube-darwin-arm64`, `minikube-windows-amd64.exe`. */
function minikubeAssetName(platform: Platform): string {
  return `minikube-${platform.os}-${platform.arch}${platform.os === 'windows' ? '.exe' : ''}`;
}

/**
 * The download of a minikube version for a platform: from GitHub's release assets (or the mirror),
 * checked against the digest recorded here for the pinned version, else the published `.sha256`.
 */
export function minikubeDownload(versionInput: string, platform: Platform, mirror?: string): DownloadRequest {
  const version = withV(requireVersion(versionInput, 'minikube_version', PATTERNS.semver, MINIKUBE_DEFAULT_VERSION));
  const asset = minikubeAssetName(platform);
  const url = githubReleaseUrl('kubernetes/minikube', version, asset, mirror);
  const pinned = MINIKUBE_PINNED_SHA256[version]?.[`${platform.os}-${platform.arch}`];
  return {
    toolName: 'minikube',
    version,
    arch: platform.arch,
    url,
    ...(pinned ? { sha256: pinned } : { checksumUrl: `${url}.sha256` }),
  };
}

export interface MinikubeStartOptions {
  profile: string;
  driver: string;
  containerRuntime?: string;
  kubernetesVersion: string;
  /** A whole number, or `max`. */
  cpus?: string;
  /** `4096` (MB), `4g`, `4096mb` or `max`. */
  memory?: string;
  waitTimeoutMs: number;
  /** Extra `minikube start` arguments, after ours so they can override them. */
  extraArgs: string[];
}

type FlagValue = (o: MinikubeStartOptions) => string | undefined;

/**
 * How options become `minikube start` flags: one row per flag, so adding one is a one-line change
 * and the argv builder stays a pure function that a table test covers.
 */
const START_FLAGS: readonly { flag: string; value: FlagValue }[] = [
  { flag: '--driver', value: (o) => o.driver },
  { flag: '--container-runtime', value: (o) => o.containerRuntime },
  { flag: '--kubernetes-version', value: (o) => o.kubernetesVersion },
  { flag: '--cpus', value: (o) => o.cpus },
  { flag: '--memory', value: (o) => o.memory },
];

/** The `minikube start` argv. Pure: validates and builds, runs nothing. */
export function minikubeStartArgs(o: MinikubeStartOptions): string[] {
  requirePattern(o.profile, PATTERNS.profile, 'minikube profile', DEFAULT_PROFILE);
  requirePattern(o.driver, PATTERNS.word, 'minikube_driver', 'docker');
  if (o.containerRuntime) requirePattern(o.containerRuntime, PATTERNS.word, 'container_runtime', 'containerd');
  requireKubernetesVersion(o.kubernetesVersion, 'kubernetes_version');
  if (o.cpus !== undefined && !/^(?:[1-9]\d{0,2}|max|no-limit)$/.test(o.cpus)) throw inputError(`cpus: "${o.cpus}" is not a CPU count; use a whole number or max`);
  if (o.memory !== undefined && !/^(?:\d{1,7}(?:[kmg]b?)?|max|no-limit)$/i.test(o.memory)) {
    throw inputError(`memory: "${o.memory}" is not a memory size; use e.g. 4096 (MB), 4g or max`);
  }
  const flags = START_FLAGS.flatMap(({ flag, value }) => {
    const v = value(o);
    return v === undefined || v === '' ? [] : [`${flag}=${v}`];
  });
  return ['start', `--profile=${o.profile}`, ...flags, '--wait=all', `--wait-timeout=${formatGoDuration(o.waitTimeoutMs)}`, ...o.extraArgs];
}

/** Splits the `minikube_start_args` input into arguments (whitespace-separated; no shell is involved). */
export function splitArgs(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((a) => a !== '');
}

/** True only for github.com itself: a GHES or ghe.com token must never be sent to github.com. */
export function isGitHubDotCom(serverUrl: string | undefined): boolean {
  if (!serverUrl) return false;
  try {
    return new URL(serverUrl).hostname.toLowerCase() === 'github.com';
  } catch {
    return false;
  }
}

export interface MinikubeEnvOptions {
  base: NodeJS.ProcessEnv;
  kubeconfigPath: string;
  minikubeHome?: string;
  /** The workflow's token: minikube queries GitHub for releases and hits the anonymous rate limit without one. */
  githubToken?: string;
  /** GITHUB_SERVER_URL; the token is passed only when it is github.com. */
  serverUrl?: string;
}

/** minikube's environment: our kubeconfig, no emoji, and GITHUB_TOKEN only for github.com. */
export function minikubeEnv(o: MinikubeEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...o.base, KUBECONFIG: o.kubeconfigPath, MINIKUBE_IN_STYLE: 'false' };
  if (o.minikubeHome) env.MINIKUBE_HOME = o.minikubeHome;
  delete env.GITHUB_TOKEN;
  if (o.githubToken && isGitHubDotCom(o.serverUrl)) env.GITHUB_TOKEN = o.githubToken;
  return env;
}

export interface MinikubeRunContext {
  minikube: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * `minikube start`; on failure `minikube delete` and one more try, because a half-created profile
 * (an image pull that timed out, a port race) makes every later start fail the same way. A second
 * failure stops with the tail of minikube's own output.
 */
export async function startMinikube(options: MinikubeStartOptions, ctx: MinikubeRunContext): Promise<void> {
  const args = minikubeStartArgs(options);
  const run = { env: ctx.env, logger: ctx.logger, signal: ctx.signal };
  const first = await runCommand(ctx.minikube, args, run);
  if (first.code === 0) return;
  ctx.logger.warn(`minikube start failed (${describeExit(first)}); deleting profile ${options.profile} and trying once more`);
  await deleteMinikube(options.profile, ctx);
  const second = await runCommand(ctx.minikube, args, run);
  if (second.code === 0) return;
  throw startFailure(second, options);
}

function startFailure(result: RunResult, options: MinikubeStartOptions): Error {
  return infraError(
    `minikube start failed twice (${describeExit(result)}) for Kubernetes ${options.kubernetesVersion} with the ${options.driver} driver; the last lines of minikube's output follow`,
    { details: result.tail },
  );
}

/** `minikube delete` of one profile; returns false (and warns) when it fails. */
export async function deleteMinikube(profile: string, ctx: MinikubeRunContext): Promise<boolean> {
  const result = await runCommand(ctx.minikube, ['delete', `--profile=${profile}`], { env: ctx.env, logger: ctx.logger, signal: ctx.signal });
  if (result.code !== 0) ctx.logger.warn(`minikube delete --profile=${profile} failed (${describeExit(result)}): ${result.tail.slice(-3).join(' | ')}`);
  return result.code === 0;
}

/** Whether the profile already runs (then it is not ours to delete). */
export async function minikubeIsRunning(profile: string, ctx: MinikubeRunContext): Promise<boolean> {
  const result = await runCommand(ctx.minikube, ['status', `--profile=${profile}`, '--output=json'], {
    env: ctx.env,
    logger: ctx.logger,
    signal: ctx.signal,
    echo: 'debug',
  });
  return result.code === 0;
}
