import { resolve } from 'node:path';
import { DEFAULTS } from '../defaults.js';
import { requireDuration } from '../duration.js';
import { ensureCluster } from '../cluster/ensure.js';
import { kubeconfigPath } from '../kube/config.js';
import { DEFAULT_PROFILE, KUBERNETES_DEFAULT_VERSION, MINIKUBE_DEFAULT_VERSION, minikubeDownload, splitArgs } from '../cluster/minikube.js';
import { currentPlatform } from '../cluster/platform.js';
import { collectDiagnostics } from '../cluster/diagnostics.js';
import { teardownCluster, type ClusterState } from '../cluster/teardown.js';
import { minikubeEnv } from '../cluster/minikube.js';
import { downloadVerified } from '../download/download-verified.js';
import { resolveMirror } from '../download/mirror.js';
import { createToolCache } from '../download/tool-cache.js';
import type { CliCommand } from './command.js';
import { parseFlags, strFlag } from './parse.js';

const UP_FLAGS = {
  'minikube-version': { type: 'string' },
  'kubernetes-version': { type: 'string' },
  driver: { type: 'string' },
  'container-runtime': { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  'start-args': { type: 'string' },
  profile: { type: 'string' },
  kubeconfig: { type: 'string' },
  mirror: { type: 'string' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  keep: { type: 'boolean' },
} as const;

export const clusterUp: CliCommand = {
  path: ['cluster', 'up'],
  summary: 'start a pinned, verified minikube and wait until it is ready',
  help: `Usage: meshspec cluster up [--minikube-version V] [--kubernetes-version V] [--driver D]
                           [--container-runtime R] [--cpus N] [--memory M] [--start-args "..."]
                           [--profile P] [--kubeconfig F] [--mirror URL] [--timeout D] [--keep]

Downloads minikube ${MINIKUBE_DEFAULT_VERSION} (or --minikube-version) into the tool cache, verifies its
sha256, starts profile "${DEFAULT_PROFILE}" (Kubernetes ${KUBERNETES_DEFAULT_VERSION} by default, docker driver)
and waits until the API answers, the nodes and kube-system pods are Ready and the default
service account exists (--timeout, default 5m). Linux amd64/arm64 only.

If the cluster does not become ready, diagnostics go to <--out>/diagnostics (default
./meshspec-results) and the profile is deleted, unless --keep is given.

--mirror (or MESHSPEC_DOWNLOAD_MIRROR) stands in for https://github.com in release URLs.
Prints the kubeconfig path and context on success. Exit 3 when the cluster cannot be started.`,
  async run(args, io) {
    const { values } = parseFlags('cluster up', args, UP_FLAGS);
    const s = (name: keyof typeof UP_FLAGS) => strFlag(values, name);
    const logger = io.logger;
    const kubeconfig = kubeconfigPath(s('kubeconfig'), io.env);
    // Used for minikube and GitHub's API; never printed.
    io.secrets.add(io.env.GITHUB_TOKEN);
    let state: ClusterState | undefined;
    try {
      const cluster = await logger.group('cluster', () =>
        ensureCluster({
          cluster: 'minikube',
          logger,
          signal: io.signal,
          kubeconfig,
          minikube: {
            version: s('minikube-version'),
            kubernetesVersion: s('kubernetes-version'),
            driver: s('driver'),
            containerRuntime: s('container-runtime'),
            cpus: s('cpus'),
            memory: s('memory'),
            extraStartArgs: splitArgs(s('start-args')),
            profile: s('profile'),
          },
          download: { mirror: resolveMirror(s('mirror'), io.env) },
          githubToken: io.env.GITHUB_TOKEN,
          serverUrl: io.env.GITHUB_SERVER_URL ?? 'https://github.com',
          readinessTimeoutMs: s('timeout') ? requireDuration(s('timeout')!, '--timeout') : undefined,
          onState: (st) => (state = st),
          env: io.env,
        }),
      );
      io.stdout.write(`kubeconfig: ${cluster.kubeconfigPath}\ncontext: ${cluster.context}\n`);
      return 0;
    } catch (error) {
      if (state?.created) {
        await collectDiagnostics({
          outDir: resolve(io.cwd, s('out') ?? DEFAULTS.outDir),
          namespaces: [],
          minikube: state.minikubePath && state.profile ? { path: state.minikubePath, profile: state.profile, env: minikubeEnv({ base: io.env, kubeconfigPath: kubeconfig }) } : undefined,
          logger,
        });
        await teardownCluster(state, { keepCluster: values.keep === true, logger, env: io.env });
      }
      throw error;
    }
  },
};

const DOWN_FLAGS = {
  'minikube-version': { type: 'string' },
  profile: { type: 'string' },
  kubeconfig: { type: 'string' },
  mirror: { type: 'string' },
} as const;

export const clusterDown: CliCommand = {
  path: ['cluster', 'down'],
  summary: 'delete the minikube profile that cluster up started',
  help: `Usage: meshspec cluster down [--profile P] [--minikube-version V] [--kubeconfig F] [--mirror URL]

Deletes the minikube profile "${DEFAULT_PROFILE}" (or --profile), which is what meshspec cluster up
creates; a user's own "minikube" profile is never touched. Uses the verified minikube from
the tool cache (downloading it if needed).`,
  async run(args, io) {
    const { values } = parseFlags('cluster down', args, DOWN_FLAGS);
    const logger = io.logger;
    const platform = currentPlatform();
    const mirror = resolveMirror(strFlag(values, 'mirror'), io.env);
    const tool = await downloadVerified(minikubeDownload(strFlag(values, 'minikube-version') ?? MINIKUBE_DEFAULT_VERSION, platform, mirror), {
      toolCache: createToolCache({ logger, env: io.env }),
      logger,
      mirror,
      signal: io.signal,
    });
    const result = await teardownCluster(
      { mode: 'minikube', created: true, profile: strFlag(values, 'profile') ?? DEFAULT_PROFILE, minikubePath: tool.path, kubeconfigPath: kubeconfigPath(strFlag(values, 'kubeconfig'), io.env) },
      { logger, env: io.env, signal: io.signal },
    );
    return result.deleted ? 0 : 3;
  },
};
