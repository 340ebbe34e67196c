import type { ConformanceReport } from './report.js';

/**
 * The ready-to-submit folder, laid out as kubernetes-sigs/gateway-api conformance/reports/README.md
 * asks (copy in test/fixtures/gamma-reports/README.md):
 *   submission/conformance/reports/<gateway-api version>/<organization>-<project>/
 *     <channel>-<implementation version>-<mode>-report.yaml   the report, byte for byte
 *     README.md   the table (API channel | Implementation version | Mode | Report) and "Reproduce"
 * Folders are named `vX.Y` from Gateway API v1.5 on (upstream's v1.5/ and v1.6/ hold v1.5.1 and
 * v1.6.1 reports) and `vX.Y.Z` before (v1.3.0/, v1.4.0/). Reports from v1.0 and before have no
 * channel or mode: upstream's rule exceptions name them `<version>-report.yaml` with "x" cells.
 */

const SUBMISSION_ROOT = 'submission/conformance/reports';

function versionFolder(gatewayAPIVersion: string): string {
  const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(gatewayAPIVersion);
  if (!m) return gatewayAPIVersion;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 1 || (major === 1 && minor >= 5) ? `v${major}.${minor}` : `v${m[1]}.${m[2]}.${m[3]}`;
}

/** A path segment from free text: no separators, no `..`, nothing a file system or a URL trips on. */
function segment(text: string): string {
  const s = text.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '');
  return s === '' ? 'unknown' : s;
}

export interface Submission {
  /** Relative to the output directory. */
  folder: string;
  reportName: string;
  /** Output-relative path → content. */
  files: Record<string, string>;
}

function versionLink(url: string, version: string): string {
  const repo = /^(?:https?:\/\/)?github\.com\/([^/\s]+\/[^/\s]+?)\/?$/.exec(url.trim());
  return repo ? `https://github.com/${repo[1]}/releases/tag/${encodeURIComponent(version)}` : url;
}

export function buildSubmission(report: ConformanceReport, reportText: string, reproduce: { text: string; workflow: string }): Submission {
  const impl = report.implementation;
  const folder = `${SUBMISSION_ROOT}/${segment(versionFolder(report.gatewayAPIVersion))}/${segment(`${impl.organization}-${impl.project}`.toLowerCase())}`;
  const modern = report.gatewayAPIChannel !== undefined && report.mode !== undefined;
  const reportName = modern ? `${segment(`${report.gatewayAPIChannel}-${impl.version}-${report.mode}`)}-report.yaml` : `${segment(impl.version)}-report.yaml`;
  const readme = [
    `# ${impl.project}`,
    '',
    `${impl.organization}/${impl.project}: ${impl.url}`,
    '',
    '## Table of contents',
    '',
    '| API channel | Implementation version | Mode | Report |',
    '|-------------|------------------------|------|--------|',
    `| ${report.gatewayAPIChannel ?? 'x'} | [${impl.version}](${versionLink(impl.url, impl.version)}) | ${report.mode ?? 'x'} | [${impl.version} report](./${reportName}) |`,
    '',
    '## Reproduce',
    '',
    reproduce.text,
    '',
    '```yaml',
    reproduce.workflow.trimEnd(),
    '```',
    '',
  ].join('\n');
  return { folder, reportName, files: { [`${folder}/${reportName}`]: reportText, [`${folder}/README.md`]: readme } };
}
