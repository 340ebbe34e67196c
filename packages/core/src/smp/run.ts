import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { redactUrl } from '../redact.js';
import { ensureWritableDir, writeResultFiles } from '../report/files.js';
import { renderSmpSummary } from '../report/smp-summary.js';
import { renderSmpTable } from '../report/smp-table.js';
import { buildFortioResult, type FortioResult } from './fortio.js';
import { resolveLoadGenerator } from './loadgen/registry.js';
import type { ClientPlan, LoadPlan, TimelinePoint } from './loadgen/types.js';
import type { SmpProfile } from './profile.js';
import { buildSmpResult, type ResultContext, type SmpResult } from './result.js';
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.js';
import { judgeRun } from './verdict.js';

export const SMP_RESULT_FILE = 'smp-result.json';
export const FORTIO_RESULT_FILE = 'fortio.json';
export const SUMMARY_FILE = 'summary.md';

export interface SmpRunOptions {
  /** The profile with every override already applied. */
  profile: SmpProfile;
  outDir: string;
  /** The flag or input that named outDir, for messages: `--out`, `input output_dir`. */
  outDirSource?: string;
  thresholds: readonly Threshold[];
  /** A request still unanswered this long after it was sent counts as a timeout. */
  requestTimeoutMs: number;
  /** Accept self-signed certificates on https endpoints. */
  insecureTls?: boolean;
  logger: Logger;
  signal?: AbortSignal;
  env?: ResultContext['env'];
  detailsUri?: string;
  /** Applied to every text written, as the last line of defence for secrets. */
  scrub?: (text: string) => string;
  /** Extra markdown lines for the summary (phase durations, notices). */
  summaryExtras?: string[];
  version?: string;
}

export interface SmpRunOutcome {
  result: SmpResult;
  fortio: FortioResult;
  thresholds: ThresholdResult[];
  files: { result: string; fortio: string; summary: string };
  summaryMarkdown: string;
  table: string;
  failureKind: 'none' | 'test' | 'cancelled';
  failureMessage?: string;
  /** Already logged as warnings: errors no threshold covers, a rate that was not met. */
  warnings: string[];
}

/** Turns the profile's clients into the generator's plan: one ClientPlan per SMP client. */
export function planFromProfile(profile: SmpProfile, options: Pick<SmpRunOptions, 'requestTimeoutMs' | 'insecureTls' | 'signal'>): LoadPlan {
  const clients: ClientPlan[] = profile.clients.map((c) => ({
    urls: c.endpoint_urls,
    connections: c.connections,
    rps: c.rps,
    // SMP has no method field: a body means POST, as Meshery's generators do.
    method: c.body ? 'POST' : 'GET',
    headers: c.headers,
    cookies: c.cookies,
    body: c.body || undefined,
    contentType: c.content_type || undefined,
    insecureTls: options.insecureTls,
  }));
  return { clients, durationMs: profile.durationMs, requestTimeoutMs: options.requestTimeoutMs, signal: options.signal, insecureTls: options.insecureTls };
}

function describeClient(c: ClientPlan): string {
  const rate = c.rps > 0 ? `${c.rps} rps` : 'closed loop (as fast as the connections allow)';
  return `${c.method} ${c.urls.map(redactUrl).join(', ')}: ${c.connections} connection${c.connections === 1 ? '' : 's'}, ${rate}`;
}

function tickLine(t: TimelinePoint, totalS: number): string {
  const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} ms`);
  const at = t.grace ? `[grace ${t.second}s]` : `[${String(t.second).padStart(String(totalS).length)}s/${totalS}s]`;
  return `${at} ${t.requests} req/s, ${t.errors} errors, p50 ${ms(t.p50_ms)}, p99 ${ms(t.p99_ms)}`;
}

/**
 * Runs one SMP profile end to end and writes smp-result.json, fortio.json and summary.md before
 * returning, so that publishing (which the caller does next) can never lose a result.
 */
export async function runSmpProfile(options: SmpRunOptions): Promise<SmpRunOutcome> {
  const { profile, logger } = options;
  // Every name a client gives is checked (and its mapping noticed); they all run on one generator.
  const resolved = [...new Set(profile.clients.map((c) => c.load_generator))].map((name) => resolveLoadGenerator(name));
  for (const { notice } of resolved) if (notice) logger.notice(notice);
  const generator = resolved[0]?.generator ?? resolveLoadGenerator('native').generator;
  const plan = planFromProfile(profile, options);
  const totalS = Math.ceil(profile.durationMs / 1000);
  // Before any load: a run must never end in "cannot write".
  await ensureWritableDir(options.outDir, options.outDirSource ?? 'the output directory');
  logger.info(`SMP profile "${profile.name}" (${profile.source}): ${profile.duration} with the ${generator.id} load generator`);
  plan.clients.forEach((c, i) => logger.info(`  client ${i + 1}: ${describeClient(c)}`));
  plan.onTick = (t) => logger.progress(tickLine(t, totalS));

  const run = await generator.run(plan);
  if (run.cancelled) logger.warn('the run was cancelled: the results cover only the part that ran');

  const ctx: ResultContext = {
    id: randomUUID(),
    name: profile.name,
    labels: profile.labels,
    smpVersion: profile.smp_version,
    profile: {
      id: profile.id,
      duration: profile.duration,
      clients: profile.clients.map((c) => ({ ...c, load_generator: c.load_generator })),
    },
    mesh: {
      type: profile.mesh.type,
      name: profile.mesh.info.displayName,
      version: profile.mesh.version,
      labels: profile.mesh.labels,
      annotations: profile.mesh.annotations,
    },
    env: options.env,
    loadGenerator: generator.id,
    cancelled: run.cancelled,
    detailsUri: options.detailsUri,
    meshspecVersion: options.version,
  };
  const result = buildSmpResult(run, ctx);
  const fortio = buildFortioResult(run, ctx);
  const thresholdResults = evaluateThresholds(result, options.thresholds);
  const verdict = judgeRun(result, thresholdResults);
  for (const w of verdict.warnings) logger.warn(w);

  const summaryMarkdown = renderSmpSummary(result, fortio, thresholdResults, options.summaryExtras);
  const paths = await writeResultFiles(
    options.outDir,
    { [SMP_RESULT_FILE]: result, [FORTIO_RESULT_FILE]: fortio, [SUMMARY_FILE]: summaryMarkdown },
    { scrub: options.scrub },
  );
  return {
    result,
    fortio,
    thresholds: thresholdResults,
    files: { result: paths[SMP_RESULT_FILE]!, fortio: paths[FORTIO_RESULT_FILE]!, summary: paths[SUMMARY_FILE]! },
    summaryMarkdown,
    table: renderSmpTable(result),
    failureKind: verdict.failureKind,
    failureMessage: verdict.failureMessage,
    warnings: verdict.warnings,
  };
}
