import { requireDuration } from '../duration.js';
import { kubeconfigPath } from '../kube/config.js';
import { resolveMirror } from '../download/mirror.js';
import { ensureMesh, installableMeshes, type EnsuredMesh, type EnsureMeshOptions } from '../mesh/ensure.js';
import type { ToolCache } from '../download/tool-cache.js';
import { findMesh, MESHES } from '../mesh/registry.js';
import { inputError } from '../errors.js';
import type { CliCommand, CliIO } from './command.js';
import { parseFlags, strFlag, type ParsedFlags } from './parse.js';

const FLAGS = {
  version: { type: 'string' },
  kubeconfig: { type: 'string' },
  mirror: { type: 'string' },
  timeout: { type: 'string' },
  'allow-unverified-download': { type: 'boolean' },
} as const;

/**
 * The mesh step of the CLI commands (`mesh install`, `smi run`, `gamma run`): install the mesh from
 * verified downloads (--mirror, --allow-unverified-download), or verify it with --mesh-deployed.
 */
export function ensureMeshFromFlags(
  io: CliIO,
  values: ParsedFlags['values'],
  options: Pick<EnsureMeshOptions, 'mesh' | 'version' | 'deployed' | 'kubeconfig' | 'context' | 'timeoutMs' | 'where' | 'settings' | 'purpose'> & { toolCache?: ToolCache },
): Promise<EnsuredMesh> {
  const { toolCache, ...mesh } = options;
  return io.logger.group(options.deployed ? 'mesh (verify)' : 'mesh', () =>
    ensureMesh({
      where: '--mesh',
      ...mesh,
      logger: io.logger,
      signal: io.signal,
      download: { mirror: resolveMirror(strFlag(values, 'mirror'), io.env), toolCache, allowUnverified: values['allow-unverified-download'] === true, githubToken: io.env.GITHUB_TOKEN },
      env: io.env,
    }),
  );
}

const defaults = () =>
  MESHES.filter((m) => m.installer)
    .map((m) => `  ${m.id.padEnd(13)} ${String(m.defaultVersion).padEnd(12)} Kubernetes ${m.kubernetesVersion}`)
    .join('\n');

export const meshInstall: CliCommand = {
  path: ['mesh', 'install'],
  summary: 'install a service mesh with its pinned, verified CLI or chart and wait for it',
  help: `Usage: meshspec mesh install NAME [--version V] [--kubeconfig F] [--mirror URL] [--timeout D]
                              [--allow-unverified-download]

Installs the mesh into the current context of the kubeconfig (--kubeconfig, else KUBECONFIG,
else ~/.kube/config), with the SMI extras it needs, and waits until its control plane is
ready (--timeout, default 5m). NAME is any spelling Meshery accepts (osm, open_service_mesh,
OPEN_SERVICE_MESH, 10, ...). kubectl must be on PATH for Linkerd and Kuma.

Pinned versions (mesh, version, a Kubernetes version it is known to work on):
${defaults()}

Exit 2 for an unknown mesh, 3 when the install or the wait fails.`,
  async run(args, io) {
    const { values, positionals } = parseFlags('mesh install', args, FLAGS, true);
    if (positionals.length !== 1) {
      io.stderr.write(`meshspec mesh install: name one mesh (${installableMeshes().join(', ')}); see --help\n`);
      return 2;
    }
    // Only the meshes with an installer are worth naming here: the registry knows all twelve SMP
    // meshes, most of which meshspec can only verify (mesh_deployed), never install.
    const mesh = findMesh(positionals[0]!);
    const installs = MESHES.filter((m) => m.installer).map((m) => `${m.id} (${m.smpType})`).join(', ');
    if (!mesh) throw inputError(`mesh: unknown service mesh "${positionals[0]}". meshspec installs: ${installs}`);
    if (!mesh.installer) throw inputError(`mesh: meshspec cannot install ${mesh.displayName}; install it yourself. meshspec installs: ${installs}`);
    const timeout = strFlag(values, 'timeout');
    // Used for minikube and GitHub's API; never printed.
    io.secrets.add(io.env.GITHUB_TOKEN);
    const installed = await ensureMeshFromFlags(io, values, {
      mesh: mesh.id,
      version: strFlag(values, 'version'),
      deployed: false,
      kubeconfig: kubeconfigPath(strFlag(values, 'kubeconfig'), io.env),
      timeoutMs: timeout ? requireDuration(timeout, '--timeout') : undefined,
      where: 'mesh',
    });
    io.stdout.write(`${installed.mesh.id} ${installed.version ?? ''} ${installed.installed ? 'installed' : 'already installed'}\n`);
    for (const skipped of installed.skippedExtras) io.stdout.write(`skipped SMI extra: ${skipped}\n`);
    return 0;
  },
};
