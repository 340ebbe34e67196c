import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { redactUrl } from '../redact.js';
import { ensureWritableDir, writeResultFiles } from '../report/files.js';
import { writeReportPage } from '../report/html/index.js';
import { pageDeltasOf } from '../report/smp-deltas.js';
import { renderSmpSummary } from '../report/smp-summary.js';
import { renderSmpTable } from '../report/smp-table.js';
import { buildFortioResult, type FortioResult } from '../smp/fortio.js';
import { resolveLoadGenerator } from '../smp/loadgen/registry.js';
import type { ClientPlan, LoadGenerator, LoadPlan, TimelinePoint } from '../smp/loadgen/types.js';
import type { LoadSource } from '../smp/in-cluster/load-source.js';
import { PodLoadError } from '../smp/in-cluster/runner.js';
import { buildProfile, readProfile, type SmpProfile } from '../smp/profile.js';
import { defaultProfile, loadProfileFile } from '../smp/profile-source.js';
import { inputError } from '../errors.js';
import { fetchProfileByName } from '../provider/publish.js';
import { providerOptionsFrom, publishSmpRun, type PublishReport, type PublishSettings } from './publish.js';
import { resolve } from 'node:path';
import { assertSameProfile, compareWithBaseline, regressionFailureMessage, type Baseline, type BaselineDeltas, type RegressionRule } from '../smp/regression.js';
import { buildMeasuredResult, emptyRun, measureWithNoiseControl, NO_NOISE_CONTROL, type MeasuredRuns, type NoiseControl } from '../smp/repeats.js';
import { testSectionOf, type ResultContext, type SmpResult } from '../smp/result.js';
import { evaluateThresholds, type Threshold, type ThresholdResult } from '../smp/thresholds.js';
import { judgeRun } from '../report/smp-verdict.js';
import { measurePairs } from '../smp/overhead/interleave.js';
import { meshOverheadOf, sideFigures } from '../smp/overhead/figures.js';
import type { ResourceSampler } from '../smp/overhead/resources.js';
import { SIDE_TITLE, type OverheadSide } from '../smp/overhead/sides.js';
import type { MeshInfo } from '../mesh/registry.js';

export const SMP_RESULT_FILE = 'smp-result.json';
export const FORTIO_RESULT_FILE = 'fortio.json';
export const SUMMARY_FILE = 'summary.md';
/** The comparison with the baseline (BaselineDeltas), written when there is one. */
export const DELTAS_FILE = 'smp-deltas.json';
/** The run without the mesh of a comparison (smp/overhead/); smp-result.json is the run with it. */
export const WITHOUT_MESH_FILE = 'smp-result-without-mesh.json';

/** A comparison with and without the mesh, deployed by pipeline/smp-overhead.ts: one generator per side. */
export interface OverheadRun {
  generators: Record<OverheadSide, LoadGenerator & { lastSource?(): LoadSource | undefined }>;
  mesh: MeshInfo;
  namespaces: Record<OverheadSide, string>;
  sampler: Pick<ResourceSampler, 'window' | 'stop'>;
}

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
  /** Warm-up (left out of every figure) and repeats of the measured window; default none and 1. */
  noise?: NoiseControl;
  /** An earlier result of the same profile to compare with; a different profile is refused before any load. */
  baseline?: Baseline;
  /** Allowed changes against the baseline; a broken one fails the run (`test`). */
  regression?: readonly RegressionRule[];
  /** Measure the same load without the mesh too, in interleaved pairs of windows (smp/overhead/). */
  overhead?: OverheadRun;
  /**
   * The generator for `internal: true` clients (pipeline/in-cluster-load.ts: podLoadGenerator);
   * absent, the load comes from this machine. Its lastSource() becomes stats.load_source.
   */
  generator?: LoadGenerator & { lastSource?(): LoadSource | undefined };
}

export interface SmpRunOutcome {
  result: SmpResult;
  fortio: FortioResult;
  thresholds: ThresholdResult[];
  /** Present when a baseline was given. */
  deltas?: BaselineDeltas;
  /** `report` is absent when the page could not be made (a warning says why). */
  files: { result: string; fortio: string; summary: string; deltas?: string; report?: string; withoutMesh?: string };
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

/** The plan for each side of a comparison: the same load, its progress lines named by side. */
function sidePlans(plan: LoadPlan, totalS: number, logger: Logger): Record<OverheadSide, LoadPlan> {
  const tagged = (side: OverheadSide): LoadPlan => ({ ...plan, onTick: (t) => logger.progress(`${SIDE_TITLE[side]}: ${tickLine(t, totalS)}`) });
  return { plain: tagged('plain'), meshed: tagged('meshed') };
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
  const generator = options.generator ?? resolved[0]?.generator ?? resolveLoadGenerator('native').generator;
  const plan = planFromProfile(profile, options);
  const totalS = Math.ceil(profile.durationMs / 1000);
  logger.info(`SMP profile "${profile.name}" (${profile.source}): ${profile.duration} with the ${generator.id} load generator`);
  plan.clients.forEach((c, i) => logger.info(`  client ${i + 1}: ${describeClient(c)}`));
  plan.onTick = (t) => logger.progress(tickLine(t, totalS));

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
    cancelled: false,
    detailsUri: options.detailsUri,
    meshspecVersion: options.version,
  };
  // A baseline of another test would measure the change of profile, not of the system: refuse it before any load.
  if (options.baseline) assertSameProfile({ test: testSectionOf(ctx) }, options.baseline);
  // Before any load, and after every input check (a refused input leaves nothing behind): a run must never end in "cannot write".
  await ensureWritableDir(options.outDir, options.outDirSource ?? 'the output directory');

  const noise = options.noise ?? NO_NOISE_CONTROL;
  const { overhead } = options;
  // A failed load pod is an infrastructure failure (exit 3), but what the other pods measured is
  // written first, marked partial (stats.partial), before the error goes up. In a comparison the
  // error goes up at once: half a pair compares nothing.
  let podFailure: PodLoadError | undefined;
  let measured: MeasuredRuns;
  const paired = overhead
    ? await measurePairs(overhead.generators, sidePlans(plan, totalS, logger), noise, logger, (side, event) => side === 'meshed' && overhead.sampler.window(event === 'start'))
    : undefined;
  try {
    measured = paired ? paired.meshed : await measureWithNoiseControl(generator, plan, noise, logger);
  } catch (error) {
    if (!(error instanceof PodLoadError)) throw error;
    podFailure = error;
    measured = { runs: [error.partial ?? { ...emptyRun(plan), cancelled: false }], warmupS: 0, cancelled: false };
  }
  if (measured.cancelled) logger.warn('the run was cancelled: the results cover only the part that ran');
  const source = podFailure?.source ?? (overhead ? overhead.generators.meshed : options.generator)?.lastSource?.();
  if (source) ctx.loadSource = source;
  if (podFailure) ctx.partial = { reason: podFailure.message, pods_finished: podFailure.source.pods.filter((p) => p.outcome === 'succeeded').length, pods_total: podFailure.source.pods.length };
  const { result, run } = buildMeasuredResult(measured, ctx, plan);
  let withoutMesh: SmpResult | undefined;
  if (paired && overhead) {
    // The run without the mesh is its own SMP result: the same test, on no mesh, beside the meshed one.
    const plainSource = overhead.generators.plain.lastSource?.();
    const plainCtx: ResultContext = { ...ctx, id: randomUUID(), labels: { ...ctx.labels, 'meshspec.io/overhead-side': 'plain' }, mesh: { type: 0, name: 'No mesh' }, ...(plainSource ? { loadSource: plainSource } : {}) };
    withoutMesh = buildMeasuredResult(paired.plain, plainCtx, plan).result;
    result.stats.mesh_overhead = meshOverheadOf(
      { plain: sideFigures(withoutMesh, overhead.namespaces.plain, WITHOUT_MESH_FILE), meshed: sideFigures(result, overhead.namespaces.meshed, SMP_RESULT_FILE) },
      { mesh: overhead.mesh.displayName, meshType: overhead.mesh.smpType, pairs: Math.min(paired.plain.runs.length, paired.meshed.runs.length), resources: await overhead.sampler.stop() },
    );
  }
  const fortio = buildFortioResult(run, ctx);
  const thresholdResults = evaluateThresholds(result, options.thresholds);
  // Issue 11's verdict (nothing succeeded, thresholds missed, warnings) and issue 14's gate both
  // fail the run as `test`; every failure is named in the one message.
  const verdict = judgeRun(result, thresholdResults);
  for (const w of verdict.warnings) logger.warn(w);
  const cancelled = verdict.failureKind === 'cancelled';
  const deltas = options.baseline && !cancelled ? compareWithBaseline(result, options.baseline, options.regression ?? []) : undefined;
  const regressionMessage = deltas ? regressionFailureMessage(deltas) : undefined;
  const testFailure = cancelled ? undefined : [verdict.failureMessage, regressionMessage].filter(Boolean).join('; ') || undefined;
  const failureKind: SmpRunOutcome['failureKind'] = cancelled ? 'cancelled' : testFailure ? 'test' : 'none';

  const summaryMarkdown = renderSmpSummary(result, fortio, thresholdResults, { lines: options.summaryExtras, deltas });
  const paths = await writeResultFiles(
    options.outDir,
    { [SMP_RESULT_FILE]: result, [FORTIO_RESULT_FILE]: fortio, [SUMMARY_FILE]: summaryMarkdown, ...(deltas ? { [DELTAS_FILE]: deltas } : {}), ...(withoutMesh ? { [WITHOUT_MESH_FILE]: withoutMesh } : {}) },
    { scrub: options.scrub },
  );
  // The page after the files it shows: a page that cannot be made never costs the result.
  const report = await writeReportPage(options.outDir, { [SMP_RESULT_FILE]: result }, { smp: { thresholds: thresholdResults, ...(deltas ? { deltas: pageDeltasOf(deltas) } : {}) }, version: options.version ?? 'dev', logger, scrub: options.scrub });
  if (podFailure) {
    throw new PodLoadError(podFailure.message, podFailure.partial, podFailure.source, [...podFailure.details, `the partial result (stats.partial) is in ${paths[SMP_RESULT_FILE]}`]);
  }
  return {
    result,
    fortio,
    thresholds: thresholdResults,
    deltas,
    files: { result: paths[SMP_RESULT_FILE]!, fortio: paths[FORTIO_RESULT_FILE]!, summary: paths[SUMMARY_FILE]!, ...(deltas ? { deltas: paths[DELTAS_FILE]! } : {}), ...(withoutMesh ? { withoutMesh: paths[WITHOUT_MESH_FILE]! } : {}), report },
    summaryMarkdown,
    table: renderSmpTable(result),
    failureKind,
    failureMessage: cancelled ? verdict.failureMessage : testFailure,
    warnings: verdict.warnings,
  };
}

/** Where a run's profile comes from; the CLI and the action name their own flags or inputs. */
interface ProfileChoice {
  /** A profile file. */
  file?: string;
  /** A profile saved at the provider, fetched by name (needs a token). */
  name?: string;
  /** Endpoint URLs alone: mesheryctl's default profile around them. */
  endpoints?: string[];
  /** Relative files resolve here. */
  baseDir: string;
  /** Also look under `<baseDir>/.github/` (Meshery's action kept profiles there). */
  githubFallback?: boolean;
  /** The flag or input names, for messages. */
  labels: { file: string; name: string };
  /** The message when nothing names a profile. */
  missing: string;
}

/**
 * Step 1 of the SMP flow (docs/architecture.md, "Data flow"): one profile from a file, a provider
 * profile name or bare endpoints. Read before anything else starts, so a bad one fails first.
 */
export async function loadSmpProfile(choice: ProfileChoice, publish: PublishSettings, logger: Logger): Promise<SmpProfile> {
  const { labels } = choice;
  if (choice.file && choice.name) throw inputError(`give ${labels.file} or ${labels.name}, not both`);
  if (choice.file) return choice.githubFallback ? loadProfileFile(choice.file, choice.baseDir) : readProfile(resolve(choice.baseDir, choice.file), choice.file);
  if (choice.name) {
    const providerOptions = providerOptionsFrom(publish, logger);
    if (!providerOptions) throw inputError(`${labels.name}: a saved profile is fetched from the provider, which needs a provider token; or use ${labels.file}`);
    return buildProfile(await fetchProfileByName({ providerOptions, name: choice.name, logger }), `provider profile "${choice.name}"`);
  }
  if (choice.endpoints?.length) return defaultProfile(choice.endpoints);
  throw inputError(choice.missing);
}

/**
 * The last step of the SMP flow: publish a finished run whose files exist. A cancelled run is not
 * published (undefined). The caller reports the outcome its own way (log lines, outputs).
 */
export async function publishSmpOutcome(outcome: SmpRunOutcome, profile: SmpProfile, settings: PublishSettings, logger: Logger): Promise<PublishReport | undefined> {
  if (outcome.failureKind === 'cancelled') return undefined;
  return publishSmpRun(settings, logger, {
    smpResult: outcome.result as unknown as Record<string, unknown>,
    fortio: outcome.fortio as unknown as Record<string, unknown>,
    profileName: profile.name,
    mesh: profile.mesh.type,
  });
}
