import { resolve } from 'node:path';
import { kubeconfigPath } from '../kube/config.js';
import { currentPlatform } from '../cluster/platform.js';
import { resolveMirror } from '../download/mirror.js';
import { createToolCache } from '../download/tool-cache.js';
import { exitCodeOf } from '../errors.js';
import { checkGammaInputs, gammaMeshes, reproduceInputs } from '../gamma/inputs.js';
import { runGammaConformance } from '../pipeline/gamma.js';
import { gammaTable } from '../gamma/summary.js';
import { DEFAULT_GATEWAY_API_VERSION } from '../gamma/versions.js';
import { VERSION } from './version.js';
import { ensureMeshFromFlags } from './mesh.js';
import type { CliCommand } from './command.js';
import { DEFAULT_GAMMA_OUT_DIR } from './gamma-report.js';
import { parseFlags, strFlag } from './parse.js';

const FLAGS = {
  mesh: { type: 'string', short: 'm' },
  'mesh-version': { type: 'string' },
  'mesh-deployed': { type: 'boolean' },
  'gateway-api-version': { type: 'string' },
  channel: { type: 'string' },
  'no-install-crds': { type: 'boolean' },
  profiles: { type: 'string' },
  'supported-features': { type: 'string' },
  'exempt-features': { type: 'string' },
  'skip-tests': { type: 'string' },
  organization: { type: 'string' },
  project: { type: 'string' },
  url: { type: 'string' },
  version: { type: 'string' },
  contact: { type: 'string' },
  mode: { type: 'string' },
  'allow-crds-mismatch': { type: 'boolean' },
  'require-success': { type: 'boolean' },
  kubeconfig: { type: 'string' },
  out: { type: 'string', short: 'o' },
  mirror: { type: 'string' },
  'allow-unverified-download': { type: 'boolean' },
} as const;

const HELP = `Usage: meshspec gamma run --mesh NAME [--gateway-api-version V] [--channel standard|experimental]
                         [--profiles LIST] [--out DIR] [flags]

Runs the official Gateway API conformance suite (kubernetes-sigs/gateway-api, unmodified, at the
Gateway API version of the CRDs) for a mesh, in the current context of the kubeconfig: installs
the Gateway API CRDs of that version and channel (verified by GitHub's digest of the release's
install manifest), installs the mesh (or verifies it with --mesh-deployed), runs the suite with
Go, and writes the report and the files of \`meshspec gamma report\`. Needs Go 1.21 or newer on
PATH and Kubernetes 1.30 or newer. Meshes: ${gammaMeshes().join(', ')} (flags from the mesh registry).

  -m, --mesh NAME                 the mesh under test
      --mesh-version V            the version to install, or to report with --mesh-deployed
      --mesh-deployed             the mesh is installed already: verify it, install nothing
      --gateway-api-version V     Gateway API release (default ${DEFAULT_GATEWAY_API_VERSION}); suite and CRDs alike
      --channel C                 standard (default) or experimental
      --no-install-crds           use the CRDs in the cluster (they must be of that version and channel)
      --profiles LIST             MESH-HTTP, MESH-GRPC or all (default: the mesh's)
      --supported-features LIST   replace the mesh's supported features
      --exempt-features LIST      replace the mesh's exempt features (Gateway and ReferenceGrant always are)
      --skip-tests LIST           replace the mesh's known skips
      --organization, --project, --url, --version, --contact
                                  the report's implementation fields (default: the mesh's upstream identity;
                                  --version: the installed mesh version)
      --mode NAME                 the implementation's mode (default "default")
      --allow-crds-mismatch       let the suite run against CRDs of another version (upstream rejects such reports)
      --require-success           a partial result fails too
      --kubeconfig FILE           kubeconfig (default: KUBECONFIG, then ~/.kube/config)
  -o, --out DIR                   output directory (default ./${DEFAULT_GAMMA_OUT_DIR})
      --mirror URL                stands in for https://github.com in download URLs
      --allow-unverified-download allow a mesh CLI whose checksum cannot be verified

Exit codes: 0 success or partial, 1 a profile's core or extended result is failure, 2 bad input
(no Go, Go older than 1.21, CRDs of another version), 3 cluster, mesh or suite failure (a suite
that wrote no report), 130 cancelled.`;

export const gammaRun: CliCommand = {
  path: ['gamma', 'run'],
  summary: 'run the Gateway API mesh conformance suite (GAMMA) against a mesh',
  help: HELP,
  async run(args, io) {
    const { values } = parseFlags('gamma run', args, FLAGS);
    const flag = (input: string) => `--${input.replace(/^gateway_api_channel$/, 'channel').replace(/^service_mesh$/, 'mesh').replace(/_/g, '-')}`;
    const str = (name: string) => strFlag(values, name);
    const i = checkGammaInputs(
      {
        service_mesh: str('mesh') ?? '',
        mesh_version: str('mesh-version'),
        mesh_deployed: values['mesh-deployed'] === true,
        gateway_api_version: str('gateway-api-version'),
        gateway_api_channel: str('channel'),
        install_crds: values['no-install-crds'] !== true,
        require_success: values['require-success'] === true,
        overrides: {
          profiles: str('profiles'),
          supported_features: str('supported-features'),
          exempt_features: str('exempt-features'),
          skip_tests: str('skip-tests'),
          organization: str('organization'),
          project: str('project'),
          url: str('url'),
          version: str('version'),
          contact: str('contact'),
          mode: str('mode'),
          allow_crds_mismatch: values['allow-crds-mismatch'] === true,
        },
      },
      flag,
    );
    io.secrets.add(io.env.GITHUB_TOKEN);
    const kubeconfig = kubeconfigPath(str('kubeconfig') ? resolve(io.cwd, str('kubeconfig')!) : undefined, io.env);
    const mirror = resolveMirror(str('mirror'), io.env);
    const toolCache = createToolCache({ logger: io.logger, env: io.env });
    const outcome = await runGammaConformance({
      kubeconfigPath: kubeconfig,
      mesh: i.mesh,
      gatewayApiVersion: i.gatewayApiVersion,
      channel: i.channel,
      installCrds: i.installCrds,
      overrides: i.overrides,
      requireSuccess: i.requireSuccess,
      outDir: resolve(io.cwd, str('out') ?? DEFAULT_GAMMA_OUT_DIR),
      download: { toolCache, logger: io.logger, mirror, githubToken: io.env.GITHUB_TOKEN, signal: io.signal },
      platform: currentPlatform(),
      env: io.env,
      logger: io.logger,
      signal: io.signal,
      ensureMesh: async () => {
        const found = await ensureMeshFromFlags(io, values, { mesh: i.mesh.id, version: i.meshVersion, deployed: i.meshDeployed, kubeconfig, toolCache, purpose: 'gamma' });
        return { version: found.version };
      },
      reproduceInputs: (version) => reproduceInputs(i, version),
      where: flag,
      scrub: (t) => io.secrets.scrub(t),
      toolVersion: VERSION,
    });
    if (outcome.gamma) {
      io.stdout.write(`${gammaTable(outcome.gamma.result)}\n\n${outcome.gamma.verdict.message}\n\nwrote ${Object.values(outcome.gamma.files).join(', ')}\n`);
    } else {
      io.stdout.write(`wrote ${[outcome.junitFile, outcome.summaryFile].filter(Boolean).join(', ')}\n`);
    }
    if (outcome.failureKind !== 'none' && outcome.failureMessage) io.stderr.write(`meshspec gamma run: ${outcome.failureMessage}\n`);
    return exitCodeOf(outcome.failureKind);
  },
};
