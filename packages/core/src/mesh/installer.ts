import { ApisApi, CoreV1Api, VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { infraError, inputError } from '../errors.js';
import type { Logger } from '../log.js';
import { describeExit, findOnPath, runChecked, runCommand } from '../exec.js';
import type { Platform } from '../cluster/platform.js';
import { downloadVerified, type DownloadContext, type DownloadRequest } from '../download/download-verified.js';
import { PATTERNS, requirePattern } from '../download/patterns.js';
import { type ControlPlaneSpec, type DeploymentRef, waitForDeployments } from './control-plane.js';

/** Paths of the tools a mesh's steps run, by key (`osm`, `helm`, `chart`, `kubectl`). */
export type ToolPaths = Readonly<Record<string, string>>;

/** A CLI, chart or manifest a mesh needs, downloaded and verified before any step runs. */
export interface ToolRequirement {
  /** The key steps refer to it by. */
  key: string;
  /** Where it comes from and how it is verified (may read a chart index first). */
  resolve(env: ToolEnv): DownloadRequest | Promise<DownloadRequest>;
}

export interface ToolEnv {
  platform: Platform;
  mirror?: string;
  signal?: AbortSignal;
}

/** One command of an install or uninstall: a tool and its arguments, never a shell string. */
export interface Step {
  /** A ToolRequirement key, or `kubectl` (found on PATH). */
  tool: string;
  args: string[];
  /** Pipe the command's output into `kubectl <args>` (`apply -f -`, `delete -f -`). */
  pipeToKubectl?: string[];
  /** For messages: "install the OSM control plane". */
  what: string;
}

/**
 * What a mesh needs beyond its own install for SMI (OSM's permissive mode off is part of its
 * install arguments). Some extras cannot apply on current Kubernetes: an extra whose manifests use
 * an API the cluster no longer serves warns and is skipped, and the suite scores what the mesh
 * really serves.
 */
export interface SmiExtra {
  name: string;
  /** `group/version` its manifests use, e.g. `apiextensions.k8s.io/v1beta1` (removed in 1.22). */
  requiresApi?: string;
  tools?: ToolRequirement[];
  steps(tools: ToolPaths): Step[];
  /** Deployments it adds, waited for with the control plane. */
  deployments?: DeploymentRef[];
  /** Set when meshspec cannot install it at all; the install warns with this and goes on. */
  unavailable?: string;
}

/**
 * Choices a user can make about one mesh's install beyond its version (inputs and flags). Only
 * Traefik Mesh has any: where its chart comes from cannot be confirmed from here, so both are inputs.
 */
export interface MeshSettings {
  /** A chart repository URL (its index.yaml is read), replacing the mesh's default. */
  chartRepo?: string;
  /** An exact chart version, instead of the newest chart for the mesh version. */
  chartVersion?: string;
}

/** What an install needs to know about the cluster it installs into. */
export interface ClusterFacts {
  /** Each node's `status.nodeInfo.containerRuntimeVersion`, e.g. `docker://28.1.1`, `containerd://2.1.4`. */
  nodeRuntimes: string[];
}

export interface InstallContext {
  /** Per-mesh choices (chart source); empty for the defaults. */
  settings?: MeshSettings;
  /** The mesh's display name, for messages ("the Open Service Mesh control plane"). */
  meshName: string;
  logger: Logger;
  signal?: AbortSignal;
  kubeConfig: KubeConfig;
  /** Passed to every CLI as KUBECONFIG. */
  kubeconfigPath: string;
  env: NodeJS.ProcessEnv;
  platform: Platform;
  download: DownloadContext;
  allowUnverified: boolean;
  /** How long the control plane may take to become ready. */
  timeoutMs: number;
  pollIntervalMs?: number;
}

export interface InstallOutcome {
  version: string;
  /** Extras that could not be installed, and why (also logged as warnings). */
  skippedExtras: string[];
}

/**
 * The template every mesh installer follows (one small subclass per mesh, in the manner of
 * setup-node's distributions): download and verify the tools, run the install steps, add the SMI
 * extras that can apply, and wait for the control plane with a deadline. Subclasses only say
 * *what*: their tools, their steps and their control plane, as pure functions that tests assert.
 */
export abstract class MeshInstaller {
  /** The registry id this installer serves. */
  abstract readonly meshId: string;
  abstract readonly controlPlane: ControlPlaneSpec;
  /** The pattern `mesh_version` must match, and an example for the error message. */
  readonly versionPattern: RegExp = PATTERNS.semver;
  readonly versionExample: string = 'v1.2.3';

  abstract tools(version: string, settings?: MeshSettings): ToolRequirement[];
  abstract installSteps(version: string, tools: ToolPaths, cluster: ClusterFacts): Step[];
  abstract uninstallSteps(version: string, tools: ToolPaths): Step[];
  smiExtras(_version: string): SmiExtra[] {
    return [];
  }

  checkVersion(version: string): string {
    return requirePattern(version.trim(), this.versionPattern, 'mesh_version', this.versionExample);
  }

  async install(version: string, ctx: InstallContext): Promise<InstallOutcome> {
    this.checkVersion(version);
    const tools = await resolveTools(this.tools(version, ctx.settings), ctx);
    const cluster = await clusterFacts(ctx);
    for (const step of this.installSteps(version, tools, cluster)) await runStep(step, tools, ctx);

    const skippedExtras: string[] = [];
    const extraDeployments: DeploymentRef[] = [];
    for (const extra of this.smiExtras(version)) {
      const skip = await whySkip(extra, ctx);
      if (skip) {
        ctx.logger.warn(`${ctx.meshName}: SMI extra "${extra.name}" skipped: ${skip}. Going on; the suite scores what the mesh really serves.`);
        skippedExtras.push(`${extra.name}: ${skip}`);
        continue;
      }
      const extraTools = { ...tools, ...(await resolveTools(extra.tools ?? [], ctx)) };
      for (const step of extra.steps(extraTools)) await runStep(step, extraTools, ctx);
      extraDeployments.push(...(extra.deployments ?? []));
    }
    await waitForDeployments(ctx.kubeConfig, [...this.controlPlane.deployments, ...extraDeployments], {
      what: `the ${ctx.meshName} control plane`,
      timeoutMs: ctx.timeoutMs,
      intervalMs: ctx.pollIntervalMs,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    return { version, skippedExtras };
  }

  /** Runs the uninstall steps; each failure warns and the next step still runs (best effort). */
  async uninstall(version: string, ctx: InstallContext): Promise<boolean> {
    let ok = true;
    let tools = await resolveTools(this.tools(version, ctx.settings), ctx);
    const extraSteps: Step[] = [];
    for (const extra of this.smiExtras(version)) {
      if (await whySkip(extra, ctx)) continue;
      tools = { ...tools, ...(await resolveTools(extra.tools ?? [], ctx)) };
      extraSteps.push(...extra.steps(tools).map((s) => uninstallOf(s)).filter((s): s is Step => s !== undefined));
    }
    // Extras go first, in reverse: they sit on top of the control plane.
    for (const step of [...extraSteps.reverse(), ...this.uninstallSteps(version, tools)]) {
      try {
        await runStep(step, tools, ctx);
      } catch (error) {
        ok = false;
        ctx.logger.warn(`${ctx.meshName}: ${step.what} failed: ${(error as Error).message}`);
      }
    }
    return ok;
  }
}

/** The undo of a `kubectl apply` step (piped or not) is the same thing given to `kubectl delete`. */
function uninstallOf(step: Step): Step | undefined {
  if (step.pipeToKubectl?.[0] === 'apply') return { ...step, pipeToKubectl: ['delete', '--ignore-not-found', ...step.pipeToKubectl.slice(1)], what: `undo: ${step.what}` };
  if (step.tool === 'kubectl' && step.args[0] === 'apply') return { ...step, args: ['delete', '--ignore-not-found', ...step.args.slice(1)], what: `undo: ${step.what}` };
  return undefined;
}

/** APIs that extras still use and Kubernetes has removed, for the warning. */
const REMOVED_IN: Record<string, string> = { 'apiextensions.k8s.io/v1beta1': '1.22' };

async function whySkip(extra: SmiExtra, ctx: InstallContext): Promise<string | undefined> {
  if (extra.unavailable) return extra.unavailable;
  if (extra.requiresApi && !(await servesApi(ctx.kubeConfig, extra.requiresApi))) {
    const version = await serverVersion(ctx.kubeConfig);
    const removed = REMOVED_IN[extra.requiresApi] ? ` (${extra.requiresApi} was removed in ${REMOVED_IN[extra.requiresApi]})` : '';
    return `its manifests use ${extra.requiresApi}, which this cluster${version ? ` (Kubernetes ${version})` : ''} does not serve${removed}`;
  }
  return undefined;
}

/** Whether the API server serves `group/version` (discovery, as kubectl api-versions). */
async function servesApi(kc: KubeConfig, groupVersion: string): Promise<boolean> {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  if (!group) {
    const core = await kc.makeApiClient(CoreV1Api).getAPIResources();
    return core.groupVersion === version;
  }
  const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
  return groups.groups.some((g) => g.name === group && g.versions.some((v) => v.version === version));
}

async function serverVersion(kc: KubeConfig): Promise<string | undefined> {
  try {
    return (await kc.makeApiClient(VersionApi).getCode()).gitVersion;
  } catch {
    return undefined;
  }
}

async function resolveTools(requirements: ToolRequirement[], ctx: InstallContext): Promise<ToolPaths> {
  const paths: Record<string, string> = {};
  for (const req of requirements) {
    const request = await req.resolve({ platform: ctx.platform, mirror: ctx.download.mirror, signal: ctx.signal });
    const tool = await downloadVerified({ ...request, allowUnverified: ctx.allowUnverified }, ctx.download);
    paths[req.key] = tool.path;
  }
  return paths;
}

function kubectlPath(ctx: InstallContext): string {
  const found = findOnPath('kubectl', ctx.env);
  if (!found) {
    throw inputError('kubectl is needed to apply the mesh manifests and is not on PATH; install it (GitHub-hosted Ubuntu runners have it) and run again');
  }
  return found;
}

/** Runs one step with KUBECONFIG set; a piped step feeds the first command's output to kubectl. */
async function runStep(step: Step, tools: ToolPaths, ctx: InstallContext): Promise<void> {
  const env = { ...ctx.env, KUBECONFIG: ctx.kubeconfigPath };
  const file = step.tool === 'kubectl' ? kubectlPath(ctx) : tools[step.tool];
  if (!file) throw new Error(`step "${step.what}" needs the tool ${step.tool}, which was not resolved`);
  const common = { env, logger: ctx.logger, signal: ctx.signal };
  if (!step.pipeToKubectl) {
    await runChecked(file, step.args, { ...common, what: step.what });
    return;
  }
  const produced = await runCommand(file, step.args, { ...common, captureStdout: true });
  if (produced.code !== 0) {
    throw infraError(`${step.what} failed (${describeExit(produced)}); the last lines of its output follow`, { details: produced.tail });
  }
  await runChecked(kubectlPath(ctx), step.pipeToKubectl, { ...common, input: produced.stdout, what: `${step.what} (kubectl ${step.pipeToKubectl[0]})` });
}

/** The nodes' container runtimes; an install that cannot read them assumes none in particular. */
async function clusterFacts(ctx: InstallContext): Promise<ClusterFacts> {
  try {
    const nodes = await ctx.kubeConfig.makeApiClient(CoreV1Api).listNode();
    return { nodeRuntimes: nodes.items.map((n) => n.status?.nodeInfo?.containerRuntimeVersion ?? '').filter((r) => r !== '') };
  } catch (error) {
    ctx.logger.warn(`${ctx.meshName}: could not read the nodes' container runtimes (${(error as Error).message}); installing with the defaults`);
    return { nodeRuntimes: [] };
  }
}
