import { resolve } from 'node:path';
import { requireDuration, requirePositiveDuration } from '../duration.js';
import { addSensitiveNames } from '../redact.js';
import { requireMesh } from '../mesh/registry.js';
import { applyOverrides, profileSecrets, type ProfileOverrides, type SmpProfile } from '../smp/profile.js';
import { loadSmpProfile, publishSmpOutcome, type SmpRunOptions, type SmpRunOutcome } from '../pipeline/smp.js';
import { runSmpWithLoad } from '../pipeline/smp-overhead.js';
import { parseThresholdFlags } from '../smp/thresholds.js';
import { gateFromFile, parseRegressionFlags, type GateSettings } from '../smp/regression.js';
import { checkPublishSettings, type PublishSettings } from '../pipeline/publish.js';
import { PROVIDER_FLAGS, PROVIDER_HELP, publishSettingsFromFlags, reportPublish } from './provider-flags.js';
import type { CliCommand, CliIO } from './command.js';
import { intFlag, listFlag, parseFlags, strFlag } from './parse.js';
import { VERSION } from './version.js';
import { inputError } from '../errors.js';
import { DEFAULTS } from '../defaults.js';

export const DEFAULT_OUT_DIR = DEFAULTS.outDir;
export const DEFAULT_REQUEST_TIMEOUT = DEFAULTS.requestTimeout;

const FLAGS = {
  profile: { type: 'string', short: 'f' },
  'profile-name': { type: 'string' },
  out: { type: 'string', short: 'o' },
  endpoint: { type: 'string', multiple: true },
  rps: { type: 'string' },
  connections: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  'load-generator': { type: 'string' },
  threshold: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  regression: { type: 'string', multiple: true },
  warmup: { type: 'string' },
  repeat: { type: 'string' },
  name: { type: 'string' },
  mesh: { type: 'string' },
  'mesh-version': { type: 'string' },
  'request-timeout': { type: 'string' },
  insecure: { type: 'boolean' },
  redact: { type: 'string', multiple: true },
  pods: { type: 'string' },
  'compare-without-mesh': { type: 'boolean' },
  'service-manifest': { type: 'string' },
  'load-image': { type: 'string' },
  'load-namespace': { type: 'string' },
  'load-start-lead': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  ...PROVIDER_FLAGS,
} as const;

const SMP_RUN_HELP = `Usage: meshspec smp run <profile> [flags]

Runs an SMP performance profile and writes smp-result.json, fortio.json and summary.md.

  <profile>                  the SMP profile file (YAML or JSON)
  -f, --profile FILE         the same, as a flag
      --profile-name NAME    instead of a file: a performance profile saved in the provider
  -o, --out DIR              output directory (default ./${DEFAULT_OUT_DIR})
      --endpoint URL         replace every client's endpoint URLs (repeatable)
      --rps N                requests per second per client; 0 = as fast as possible
  -c, --connections N        connections per client
  -d, --duration D           Go duration, e.g. 30s or 1m30s
      --load-generator NAME  native (default); fortio, wrk2, nighthawk run on native
      --threshold EXPR       fail (exit 1) unless it holds, e.g. p99<250ms, error_rate<1%,
                             success_qps>=950, achieved_ratio>=0.95 (repeatable). actual_qps
                             counts every completed request, failed ones too (as SMP and
                             Fortio do); success_qps only 2xx/3xx
      --baseline FILE        compare with an earlier smp-result.json of the same profile
                             (a missing file is a notice: the first run has none)
      --regression RULE      fail (exit 1) when a figure moves past RULE against the baseline:
                             <metric>:<sign><number><unit>, e.g. p99:+10%, actual_qps:-5%,
                             error_rate:+0.5pp, p50:+2ms (repeatable)
      --warmup D             run this long first, left out of every figure (Go duration)
      --repeat N             run the measured window N times; report medians and spread
      --name NAME            the test name
      --mesh NAME            the mesh label (SMP name or number, e.g. ISTIO, linkerd, 10)
      --mesh-version V       the mesh version label
      --request-timeout D    per-request timeout (default ${DEFAULT_REQUEST_TIMEOUT}); after the duration,
                             requests in flight get min(this, 2s), then count as cut
      --insecure             accept self-signed TLS certificates
      --redact NAME          also mask this header or query parameter's values (repeatable,
                             or comma-separated; any case)

Load from inside the cluster (profiles whose clients are all internal: true):
      --pods N               load pods sharing each client's connections and rps exactly (default 1);
                             every client needs at least N connections
      --load-image IMAGE     the pods' image (default ${DEFAULTS.loadImage})
      --load-namespace NS    the namespace of the load Job (default ${DEFAULTS.loadNamespace}; created
                             when missing and then deleted afterwards)
      --load-start-lead D    how far ahead the pods' common start time is set (default
                             ${DEFAULTS.loadStartLead}; raise it when the image must be pulled first)
      --kubeconfig FILE      kubeconfig (default: KUBECONFIG, then ~/.kube/config)
      --context NAME         kubeconfig context (default: the current one)

What the mesh costs (the same load with and without the mesh; clients internal: true, URLs
http://<service>:<port>/path by the service's short name):
      --compare-without-mesh run the profile against a copy of the service in namespace
                             meshspec-overhead-plain (no sidecars) and one in
                             meshspec-overhead-meshed (injected by --mesh or the profile's mesh),
                             in interleaved pairs of windows (one per --repeat), with --pods load
                             pods in each; smp-result.json is the meshed run with
                             stats.mesh_overhead, smp-result-without-mesh.json the other
      --service-manifest FILE
                             the service to compare (Deployments, Services, ServiceAccounts,
                             ConfigMaps, Secrets); default: the sample app, Service sample-app
                             on port 9091 (GET /echo)

${PROVIDER_HELP}

Latencies are measured from each request's intended send time (corrected for coordinated
omission, as wrk2 does); the uncorrected figures are in stats.uncorrected_latencies_ms.
Every intended request is accounted for: intended = sent + unsent, sent = ok + failed + cut.
The result files are written before anything is published: a failed upload never loses them.
Exit codes: 0 ok, 1 a threshold missed, no request succeeded or a regression against the
baseline, 2 bad input, 3 infrastructure or publishing, 130 cancelled.`;

/** Reads the flags shared by `smp run` and `demo` into overrides. */
export function overridesFromFlags(values: Record<string, unknown>): ProfileOverrides {
  const v = values as Parameters<typeof strFlag>[0];
  const duration = strFlag(v, 'duration');
  const mesh = strFlag(v, 'mesh');
  return {
    name: strFlag(v, 'name'),
    endpoints: listFlag(v, 'endpoint'),
    rps: intFlag(strFlag(v, 'rps'), 'rps', 0),
    connections: intFlag(strFlag(v, 'connections'), 'connections', 1),
    durationMs: duration !== undefined ? requirePositiveDuration(duration, '--duration') : undefined,
    loadGenerator: strFlag(v, 'load-generator')?.toLowerCase(),
    mesh: mesh !== undefined ? requireMesh(mesh, '--mesh') : undefined,
    meshVersion: strFlag(v, 'mesh-version'),
  };
}

/** --baseline, --regression, --warmup and --repeat: the gate and the noise control. */
function gateFromFlags(values: Parameters<typeof strFlag>[0], io: CliIO): GateSettings & { noise: { warmupMs: number; repeat: number } } {
  const file = strFlag(values, 'baseline');
  const gate = gateFromFile(file ? resolve(io.cwd, file) : undefined, file, parseRegressionFlags(listFlag(values, 'regression')), { baseline: '--baseline', regression: '--regression' });
  if (gate.notice) io.logger.notice(gate.notice);
  const warmup = strFlag(values, 'warmup');
  return { ...gate, noise: { warmupMs: warmup === undefined ? 0 : requireDuration(warmup, '--warmup'), repeat: intFlag(strFlag(values, 'repeat'), 'repeat', 1) ?? 1 } };
}

export function printOutcome(outcome: SmpRunOutcome, io: CliIO): number {
  io.stdout.write(`${outcome.table}\n`);
  for (const t of outcome.thresholds) io.stdout.write(`${t.passed ? 'pass' : 'FAIL'}  ${t.message}\n`);
  for (const c of outcome.deltas?.checks ?? []) io.stdout.write(`${c.passed ? 'pass' : 'FAIL'}  ${c.message}\n`);
  io.stdout.write(`\nwrote ${outcome.files.result}, ${outcome.files.fortio}, ${outcome.files.summary}\n`);
  if (outcome.failureKind === 'cancelled') return 130;
  if (outcome.failureKind === 'test') {
    io.stderr.write(`meshspec smp run: ${outcome.failureMessage}\n`);
    return 1;
  }
  return 0;
}

/**
 * Publishes a finished run (files already written) and folds the outcome into the exit code:
 * cancelled runs are not published, and `--publish-failure warn` keeps a failure to a warning.
 */
async function publishAfterRun(outcome: SmpRunOutcome, profile: SmpProfile, settings: PublishSettings, io: CliIO, code: number): Promise<number> {
  return reportPublish(await publishSmpOutcome(outcome, profile, settings, io.logger), settings, io, code);
}

/** The profile file: positional (as `smp validate` takes it) or -f/--profile, never both. */
function profileFile(values: Parameters<typeof strFlag>[0], positionals: string[]): string | undefined {
  const flag = strFlag(values, 'profile');
  if (positionals.length > 1) throw inputError(`one profile per run; got ${positionals.length} (${positionals.join(', ')}); run them one after another`);
  const [positional] = positionals;
  if (positional !== undefined && flag !== undefined) throw inputError(`the profile is given twice (${positional} and --profile ${flag}); give it once`);
  return positional ?? flag;
}

function loadProfile(values: Parameters<typeof strFlag>[0], positionals: string[], io: CliIO, settings: PublishSettings): Promise<SmpProfile> {
  return loadSmpProfile(
    {
      file: profileFile(values, positionals),
      name: strFlag(values, 'profile-name'),
      baseDir: io.cwd,
      labels: { file: 'a profile file', name: '--profile-name' },
      missing: 'a profile is required: meshspec smp run <profile> with an SMP profile file (see examples/smp/), or --profile-name for one saved in the provider',
    },
    settings,
    io.logger,
  );
}

export const smpRun: CliCommand = {
  path: ['smp', 'run'],
  summary: 'run an SMP load profile and write the results',
  help: SMP_RUN_HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags('smp run', args, FLAGS, true);
    addSensitiveNames(listFlag(values, 'redact').flatMap((v) => v.split(',')));
    const settings = await publishSettingsFromFlags(values, io, (s) => io.secrets.add(s));
    checkPublishSettings(settings);
    const thresholds = parseThresholdFlags(listFlag(values, 'threshold'));
    const gate = gateFromFlags(values, io);
    const overrides = overridesFromFlags(values);
    const requestTimeoutMs = requirePositiveDuration(strFlag(values, 'request-timeout') ?? DEFAULT_REQUEST_TIMEOUT, '--request-timeout');
    const profile = applyOverrides(await loadProfile(values, positionals, io, settings), overrides);
    // Values redacted by name are masked wherever else they appear: the log and every file.
    for (const secret of profileSecrets(profile)) io.secrets.add(secret);
    const loadSource = {
      pods: intFlag(strFlag(values, 'pods'), 'pods', 1),
      image: strFlag(values, 'load-image'),
      namespace: strFlag(values, 'load-namespace'),
      startLeadMs: strFlag(values, 'load-start-lead') === undefined ? undefined : requireDuration(strFlag(values, 'load-start-lead')!, '--load-start-lead'),
      cluster: { kubeconfig: strFlag(values, 'kubeconfig'), context: strFlag(values, 'context'), kubeconfigSource: '--kubeconfig', env: io.env, cwd: io.cwd },
      names: { pods: '--pods', image: '--load-image', namespace: '--load-namespace' },
      logger: io.logger,
    };
    const runOptions: SmpRunOptions = {
      profile,
      outDir: resolve(io.cwd, strFlag(values, 'out') ?? DEFAULT_OUT_DIR),
      outDirSource: '--out',
      thresholds,
      requestTimeoutMs,
      insecureTls: values.insecure === true,
      logger: io.logger,
      signal: io.signal,
      scrub: (t) => io.secrets.scrub(t),
      version: VERSION,
      noise: gate.noise,
      baseline: gate.baseline,
      regression: gate.rules,
    };
    const manifest = strFlag(values, 'service-manifest');
    if (manifest !== undefined && values['compare-without-mesh'] !== true) throw inputError('--service-manifest: the service is deployed only for a comparison; add --compare-without-mesh, or drop --service-manifest');
    const comparison = values['compare-without-mesh'] === true ? { option: '--compare-without-mesh', manifest: manifest === undefined ? undefined : { path: resolve(io.cwd, manifest), label: '--service-manifest' } } : undefined;
    const outcome = await runSmpWithLoad(runOptions, loadSource, comparison);
    return publishAfterRun(outcome, profile, settings, io, printOutcome(outcome, io));
  },
};
