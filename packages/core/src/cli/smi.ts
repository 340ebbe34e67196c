import { resolve } from 'node:path';
import { requireDuration } from '../duration.js';
import { kubeconfigPath } from '../kube/config.js';
import { exitCodeOf, inputError } from '../errors.js';
import { checkPublishSettings } from '../pipeline/publish.js';
import { PROVIDER_FLAGS, PROVIDER_HELP, publishSettingsFromFlags, reportPublish } from './provider-flags.js';
import { requireMesh } from '../mesh/registry.js';
import { TRAEFIK_MESH_CHART_REPO } from '../mesh/traefik-mesh.js';
import { publishSmiOutcome, runSmiConformance, type SmiConformanceOutcome } from '../pipeline/smi.js';
import { scoreSpec } from '../smi/scoring.js';
import { parseSpecs, SPEC_NAMES } from '../smi/suite.js';
import { parseSmiVersion } from '../smi/versions.js';
import { SAMPLE_APP_IMAGE } from '../smi/workloads.js';
import type { CliCommand, CliIO } from './command.js';
import { listFlag, parseFlags, strFlag } from './parse.js';
import { VERSION } from './version.js';
import { ensureMeshFromFlags } from './mesh.js';
import { DEFAULTS } from '../defaults.js';

const FLAGS = {
  mesh: { type: 'string', short: 'm' },
  'mesh-version': { type: 'string' },
  'mesh-deployed': { type: 'boolean' },
  specs: { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'step-timeout': { type: 'string' },
  'smi-version': { type: 'string' },
  'sample-app-image': { type: 'string' },
  'traefik-mesh-chart-repo': { type: 'string' },
  'traefik-mesh-chart-version': { type: 'string' },
  'min-passing-percentage': { type: 'string' },
  'no-fail-on-nonconformance': { type: 'boolean' },
  mirror: { type: 'string' },
  'allow-unverified-download': { type: 'boolean' },
  ...PROVIDER_FLAGS,
} as const;

const SMI_RUN_HELP = `Usage: meshspec smi run --mesh NAME [flags]

Runs the SMI conformance suite against the mesh in a cluster and writes smi-result.json,
junit.xml and summary.md. Each spec runs in its own namespace, deleted afterwards.

  -m, --mesh NAME                  the mesh under test (e.g. osm, linkerd, istio, or an SMP number)
      --mesh-version V             the mesh version to install (default: the pinned one), or to report
      --mesh-deployed              the mesh is already installed: verify its control plane, install nothing
                                   (without it, the mesh is installed, verified downloads, before the suite)
      --mirror URL                 stands in for https://github.com in download URLs (or MESHSPEC_DOWNLOAD_MIRROR)
      --allow-unverified-download  allow a mesh CLI version whose checksum cannot be verified
      --traefik-mesh-chart-repo URL    Traefik Mesh's chart repository (default ${TRAEFIK_MESH_CHART_REPO})
      --traefik-mesh-chart-version V   an exact Traefik Mesh chart version (default: the newest for the mesh version)
      --specs LIST                 specs to run, comma-separated (default all: ${SPEC_NAMES.join(', ')});
                                   traffic-specs is accepted for traffic-spec
      --kubeconfig FILE            kubeconfig (default: KUBECONFIG, then ~/.kube/config)
      --context NAME               kubeconfig context (default: the current one)
  -o, --out DIR                    output directory (default ./${DEFAULTS.outDir})
      --step-timeout D             how long a step may take, Go duration (default ${DEFAULTS.stepTimeoutMs / 1000}s)
      --smi-version V              auto (default: each kind's newest served version) or v0.6.0 (that release's versions, strictly)
      --sample-app-image IMAGE     the sample app image (default ${SAMPLE_APP_IMAGE})
      --min-passing-percentage N   conformant when at least N% of the steps pass (default: every spec must pass)
      --no-fail-on-nonconformance  exit 0 even when the mesh is not conformant

${PROVIDER_HELP}

Score: each spec stops at its first failed step; cases_passed counts the passed steps and
passing_percentage divides by the steps of the specs that ran. Capability: FULL (all steps),
HALF (at least half), NONE.
The result files are written before anything is published: a failed upload never loses them.
Exit codes: 0 conformant, 1 not conformant, 2 bad input, 3 cluster, mesh or provider failure, 130 cancelled.`;

/** --min-passing-percentage: a number from 0 to 100. */
function parsePercentage(text: string | undefined, where: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100) throw inputError(`${where}: "${text}" is not a percentage; use a number from 0 to 100, e.g. 80`);
  return n;
}

/** A table of the specs, the verdict and the files, for the terminal. */
function formatOutcome(outcome: SmiConformanceOutcome): string {
  const lines = outcome.suite.cases.map((c) => {
    const s = scoreSpec(c);
    const failed = c.steps.find((x) => x.status === 'failed' || x.status === 'cancelled');
    return `${c.spec.padEnd(16)} ${s.status.padEnd(9)} ${s.capability.padEnd(4)} ${`${s.passed}/${s.steps}`.padStart(5)}  ${c.apiVersion ?? '-'}${failed ? `\n${' '.repeat(18)}step ${failed.number}-${failed.name}: ${failed.reason}` : ''}`;
  });
  return [...lines, '', outcome.verdict.message].join('\n');
}

function printSmiOutcome(outcome: SmiConformanceOutcome, io: CliIO): number {
  io.stdout.write(`${formatOutcome(outcome)}\n\nwrote ${outcome.files.result}, ${outcome.files.junit}, ${outcome.files.summary}\n`);
  if (outcome.failureKind !== 'none' && outcome.failureMessage) io.stderr.write(`meshspec smi run: ${outcome.failureMessage}\n`);
  return exitCodeOf(outcome.failureKind);
}

export const smiRun: CliCommand = {
  path: ['smi', 'run'],
  summary: 'run the SMI conformance suite against a mesh and write the results',
  help: SMI_RUN_HELP,
  async run(args, io) {
    const { values } = parseFlags('smi run', args, FLAGS);
    const meshName = strFlag(values, 'mesh');
    if (!meshName) throw inputError('--mesh is required: name the mesh under test (e.g. --mesh osm)');
    const stepTimeout = strFlag(values, 'step-timeout');
    const settings = await publishSettingsFromFlags(values, io, (secret) => io.secrets.add(secret));
    checkPublishSettings(settings);
    const mesh = requireMesh(meshName, '--mesh');
    const deployed = values['mesh-deployed'] === true;
    const kubeconfig = kubeconfigPath(strFlag(values, 'kubeconfig') ? resolve(io.cwd, strFlag(values, 'kubeconfig')!) : undefined, io.env);
    io.secrets.add(io.env.GITHUB_TOKEN);
    const outcome = await runSmiConformance({
      cluster: { kubeconfig: strFlag(values, 'kubeconfig'), context: strFlag(values, 'context'), kubeconfigSource: '--kubeconfig', env: io.env, cwd: io.cwd },
      mesh,
      meshVersion: strFlag(values, 'mesh-version'),
      meshDeployed: deployed,
      ensureMesh: async () => {
        const found = await ensureMeshFromFlags(io, values, {
          mesh: mesh.id,
          version: strFlag(values, 'mesh-version'),
          deployed,
          kubeconfig,
          context: strFlag(values, 'context'),
          settings: { chartRepo: strFlag(values, 'traefik-mesh-chart-repo'), chartVersion: strFlag(values, 'traefik-mesh-chart-version') },
        });
        return { version: found.version };
      },
      specs: parseSpecs(listFlag(values, 'specs'), '--specs'),
      smiVersion: parseSmiVersion(strFlag(values, 'smi-version'), '--smi-version'),
      sampleAppImage: strFlag(values, 'sample-app-image'),
      stepTimeoutMs: stepTimeout === undefined ? undefined : requireDuration(stepTimeout, '--step-timeout'),
      outDir: resolve(io.cwd, strFlag(values, 'out') ?? DEFAULTS.outDir),
      policy: {
        failOnNonconformance: values['no-fail-on-nonconformance'] !== true,
        minPassingPercentage: parsePercentage(strFlag(values, 'min-passing-percentage'), '--min-passing-percentage'),
      },
      logger: io.logger,
      signal: io.signal,
      toolVersion: VERSION,
      scrub: (t) => io.secrets.scrub(t),
    });
    // The outcome is printed before anything goes to the provider; a cancelled run is not published.
    const code = printSmiOutcome(outcome, io);
    return reportPublish(await publishSmiOutcome(outcome, settings, io.logger), settings, io, code);
  },
};
