import yaml from 'js-yaml';
import { infraError } from '../errors.js';
import { throughMirror } from '../download/mirror.js';
import { PATTERNS } from '../download/patterns.js';
import type { ToolEnv, ToolRequirement } from './installer.js';
import { deadlineSignal } from '../wait.js';

/** Helm 3 (research/release-assets.md §5): v4 is out, and get.helm.sh's "latest" now points at it. */
const HELM_VERSION = 'v3.21.4';

/** Helm from get.helm.sh, checked against the `.sha256` published beside the archive. */
export function helmTool(version: string = HELM_VERSION): ToolRequirement {
  return {
    key: 'helm',
    resolve: ({ platform, mirror }) => {
      const url = throughMirror(`https://get.helm.sh/helm-${version}-${platform.os}-${platform.arch}.tar.gz`, mirror);
      return {
        toolName: 'helm',
        version,
        arch: platform.arch,
        url,
        checksumUrl: `${url}.sha256`,
        archivePath: `${platform.os}-${platform.arch}/helm`,
      };
    },
  };
}

export interface ChartSelector {
  /** The chart repository, e.g. https://helm.releases.hashicorp.com. */
  repoUrl: string;
  chart: string;
  /** An exact chart version... */
  version?: string;
  /** ...or the newest chart whose appVersion is this (Traefik Mesh: the chart number is not the mesh's). */
  appVersion?: string;
  /**
   * The sha256 meshspec pins for this chart version (read from the repository's index at a known
   * commit): the index must record the same, and the archive is verified against it.
   */
  pinnedSha256?: string;
  /** What to do when the index has no such chart, for the error. */
  hint?: string;
}

interface IndexEntry {
  version?: string;
  appVersion?: string;
  digest?: string;
  urls?: string[];
}

/**
 * A chart as a tool: its version is found in the repository's `index.yaml`, and the archive is
 * verified against the `digest` the index records for it before helm ever reads it. helm then
 * installs from the verified local file, so no `helm repo add` state is left on the machine.
 */
export function chartTool(key: string, selector: ChartSelector): ToolRequirement {
  return {
    key,
    resolve: async (env: ToolEnv) => {
      const indexUrl = throughMirror(`${selector.repoUrl.replace(/\/+$/, '')}/index.yaml`, env.mirror);
      const entry = pickChart(await fetchIndex(indexUrl, env.signal), selector, indexUrl);
      if (selector.pinnedSha256 && entry.digest !== selector.pinnedSha256) {
        throw infraError(
          `chart ${selector.chart} ${entry.version}: ${indexUrl} records digest ${entry.digest}, but meshspec pins ${selector.pinnedSha256}; refusing a chart that is not the published one`,
        );
      }
      const chartUrl = new URL(entry.urls![0]!, `${selector.repoUrl.replace(/\/+$/, '')}/`).toString();
      return {
        toolName: `${selector.chart}-chart`,
        version: entry.version!,
        arch: env.platform.arch,
        url: throughMirror(chartUrl, env.mirror),
        binaryName: `${selector.chart}-${entry.version}.tgz`,
        publishedSha256: { sha256: entry.digest!, source: `digest in ${indexUrl}` },
      };
    },
  };
}

async function fetchIndex(url: string, signal?: AbortSignal): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: deadlineSignal(60_000, signal), headers: { 'user-agent': 'meshspec' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return yaml.load(await res.text(), { schema: yaml.JSON_SCHEMA });
  } catch (error) {
    throw infraError(`could not read the chart index ${url}: ${(error as Error).message}`, { cause: error });
  }
}

/** Picks the chart version from a parsed index. Pure, for tests. */
export function pickChart(index: unknown, selector: ChartSelector, where: string): IndexEntry {
  const entries = ((index as { entries?: Record<string, IndexEntry[]> })?.entries ?? {})[selector.chart] ?? [];
  const candidates = entries.filter(
    (e) =>
      typeof e.version === 'string' &&
      PATTERNS.semver.test(e.version) &&
      (selector.version === undefined || e.version === selector.version || e.version === selector.version.replace(/^v/, '')) &&
      (selector.appVersion === undefined || e.appVersion === selector.appVersion || e.appVersion === selector.appVersion.replace(/^v/, '')),
  );
  const wanted = selector.version ? `version ${selector.version}` : `appVersion ${selector.appVersion}`;
  if (candidates.length === 0) throw infraError(`chart ${selector.chart} with ${wanted} is not in the chart index ${where}${selector.hint ? `; ${selector.hint}` : ''}`);
  // As helm does without --devel: a pre-release chart is taken only when asked for by version.
  const stable = candidates.filter((e) => !e.version!.includes('-'));
  const best = (stable.length ? stable : candidates).sort((a, b) => compareVersions(b.version!, a.version!))[0]!;
  if (!best.urls?.length || typeof best.digest !== 'string') throw infraError(`chart ${selector.chart} ${best.version} in ${where} has no URL or digest`);
  return best;
}

function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.replace(/^v/, '').split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (x === undefined) return 1; // 1.0.0 > 1.0.0-rc1
    if (y === undefined) return -1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}
