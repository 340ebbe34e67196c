import { readFile } from 'node:fs/promises';
import type { KubeClient } from '../kube/client.js';
import { DEFAULTS } from '../defaults.js';
import { ensureWritableDir } from '../report/files.js';
import { inputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MeshInfo, MeshMarkers } from '../mesh/registry.js';
import type { LoadGenerator } from '../smp/loadgen/types.js';
import { deploySides } from '../smp/overhead/deploy.js';
import { startResourceSampler } from '../smp/overhead/resources.js';
import { parseServiceManifest, sampleServiceManifest, serviceObjectsFor, type ServiceObjects } from '../smp/overhead/service-manifest.js';
import { OVERHEAD_NAMESPACES, type OverheadSide } from '../smp/overhead/sides.js';
import { assertComparableProfile } from '../smp/overhead/urls.js';
import type { SmpProfile } from '../smp/profile.js';
import { podLoadGenerator } from '../smp/in-cluster/runner.js';
import { connectInCluster, withLoadSource, type LoadSourceSettings } from './in-cluster-load.js';
import { runSmpProfile, type SmpRunOptions, type SmpRunOutcome } from './smp.js';
import { CLI_WORDING, type Wording } from '../wording.js';
import { NO_NOISE_CONTROL } from '../smp/repeats.js';

/**
 * The mesh overhead flow (issue 12, part 3): check the profile and the manifest, deploy the service
 * into both namespaces, run the profile's load as pods in each in interleaved pairs of windows
 * (pipeline/smp.ts), and remove what was deployed, also after a failure or a cancellation.
 */

/** The cluster side of a comparison, connected only after every input check has passed. */
interface ComparisonCluster {
  kube: KubeClient;
  /** The cluster's figures for the result (its Kubernetes version). */
  env?: SmpRunOptions['env'];
  /** The load of one side: the profile's clients as pods in `namespace`, with the pod markers given. */
  loadFor(side: OverheadSide, namespace: string, pod: { labels: Record<string, string>; annotations: Record<string, string> }): LoadGenerator;
}

/** What the user asked for: `--compare-without-mesh [--service-manifest F]`, or the action's inputs. */
export interface ComparisonRequest {
  /** How the user asked, for messages: `--compare-without-mesh`, `input compare_without_mesh`. */
  option: string;
  /** The manifest file (absolute) and how the user named it; absent: the sample app. */
  manifest?: { path: string; label: string };
  /** How the user names settings in hints: the CLI's flags (default) or the action's inputs. */
  wording?: Wording;
}

interface ComparisonSettings extends ComparisonRequest {
  connect(): Promise<ComparisonCluster> | ComparisonCluster;
  /** How long the service may take to be available (and the namespaces to go afterwards); default DEFAULTS.overheadReadyMs. */
  readyTimeoutMs?: number;
  /** Time between metrics-server samples during the meshed windows. */
  metricsIntervalMs?: number;
}

/** The mesh whose cost is measured must inject a sidecar by markers meshspec can set. */
function requireSidecarMesh(mesh: MeshInfo, option: string): void {
  const m = mesh.injection;
  const any = (x?: Record<string, string>) => x !== undefined && Object.keys(x).length > 0;
  if (mesh.id === 'none') throw inputError(`${option}: no mesh is named: set the mesh (service_mesh input, --mesh, or mesh.type in the profile) whose cost is measured`);
  if (!any(m.labels) && !any(m.annotations) && !any(m.podAnnotations)) {
    throw inputError(`${option}: ${mesh.displayName} injects no sidecar by a namespace or pod marker meshspec knows, so there is no copy of the service without it to set apart; compare on a sidecar mesh (istio, linkerd, kuma, consul, osm)`);
  }
}

/** Everything that can be refused before the cluster is touched. */
async function prepareComparison(profile: SmpProfile, settings: Pick<ComparisonSettings, 'option' | 'manifest'>): Promise<Record<OverheadSide, ServiceObjects>> {
  const mesh = profile.mesh.info;
  requireSidecarMesh(mesh, settings.option);
  assertComparableProfile(profile, settings.option);
  let source = sampleServiceManifest();
  if (settings.manifest) {
    let text: string;
    try {
      text = await readFile(settings.manifest.path, 'utf8');
    } catch (error) {
      throw inputError(`${settings.manifest.label}: cannot read ${settings.manifest.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    source = parseServiceManifest(text, settings.manifest.path);
  }
  const where = settings.manifest?.label ?? 'the sample service';
  return {
    plain: serviceObjectsFor(source, 'plain', OVERHEAD_NAMESPACES.plain, mesh, where),
    meshed: serviceObjectsFor(source, 'meshed', OVERHEAD_NAMESPACES.meshed, mesh, where),
  };
}

/**
 * The comparison's cluster side from the in-cluster load settings (`--pods`, `load_pods`, the image,
 * the kubeconfig): one pod generator per side, in that side's namespace, with its pod markers.
 */
function comparisonWithPods(profile: SmpProfile, load: LoadSourceSettings, request: ComparisonRequest): ComparisonSettings {
  return {
    ...request,
    async connect() {
      const target = await connectInCluster(profile, load);
      return {
        kube: target.kube,
        env: { kubernetes_version: target.version },
        loadFor: (_side, namespace, pod) =>
          podLoadGenerator({ kube: target.kube, namespace, pods: target.pods, image: target.image, startLeadMs: load.startLeadMs, podLabels: pod.labels, podAnnotations: pod.annotations, logger: load.logger }),
      };
    },
  };
}

/** Every refusal of a comparison, for a caller that provisions a cluster first (smp-action): before it does. */
export async function checkComparison(profile: SmpProfile, request: ComparisonRequest): Promise<void> {
  await prepareComparison(profile, request);
}

const podMarkers = (m: MeshMarkers | undefined) => ({ labels: {}, annotations: { ...(m?.podAnnotations ?? {}) } });

/**
 * Each side's figures are the medians of its windows, and with fewer than three a single disturbed
 * window (the first one runs against a cold service; a neighbour on the node) moves them: in our
 * CI, one stalled window of two put the plain side's p99 140 ms over the meshed one's.
 */
function noticeFewPairs(noise: SmpRunOptions['noise'], wording: Wording, logger: Logger): void {
  const { repeat, warmupMs } = noise ?? NO_NOISE_CONTROL;
  if (repeat >= 3) return;
  logger.notice(
    `mesh overhead from ${repeat === 1 ? 'one pair' : `${repeat} pairs`} of windows: one disturbed window (a cold start, a busy node) can decide a figure. ` +
      `${wording.repeatThree} or more makes each side's figures medians that one window cannot move${warmupMs > 0 ? '' : `, and ${wording.warmup} leaves the cold start out`}.`,
  );
}

/** runSmpProfile with the comparison: the meshed run is the result, the plain one is written beside it. */
async function runSmpComparison(options: SmpRunOptions, settings: ComparisonSettings): Promise<SmpRunOutcome> {
  const { profile, logger } = options;
  const mesh = profile.mesh.info;
  const services = await prepareComparison(profile, settings);
  // Before the cluster is touched, as runSmpProfile does before any load: never end in "cannot write".
  await ensureWritableDir(options.outDir, options.outDirSource ?? 'the output directory');
  const { kube, loadFor, env } = await settings.connect();
  const readyTimeoutMs = settings.readyTimeoutMs ?? DEFAULTS.overheadReadyMs;
  logger.info(`mesh overhead of ${mesh.displayName}: the service in ${OVERHEAD_NAMESPACES.plain} (no sidecars) and ${OVERHEAD_NAMESPACES.meshed} (injected)`);
  noticeFewPairs(options.noise, settings.wording ?? CLI_WORDING, logger);
  const deployed = await deploySides(
    (['plain', 'meshed'] as const).map((side) => ({ side, namespace: OVERHEAD_NAMESPACES[side], service: services[side] })),
    { kube, mesh, logger, signal: options.signal, readyTimeoutMs },
  );
  const sampler = await startResourceSampler({
    kube,
    meshedNamespace: OVERHEAD_NAMESPACES.meshed,
    controlPlaneNamespace: mesh.installer?.controlPlane.namespace,
    appContainers: services.meshed.appContainers,
    intervalMs: settings.metricsIntervalMs ?? 5000,
    logger,
  });
  try {
    return await runSmpProfile({
      ...options,
      env: { ...(options.env ?? {}), ...(env ?? {}) },
      overhead: {
        generators: {
          plain: loadFor('plain', OVERHEAD_NAMESPACES.plain, podMarkers(mesh.optOut)),
          meshed: loadFor('meshed', OVERHEAD_NAMESPACES.meshed, podMarkers(mesh.injection)),
        },
        mesh,
        namespaces: { ...OVERHEAD_NAMESPACES },
        sampler,
      },
    });
  } finally {
    await sampler.stop();
    await deployed.cleanup();
  }
}

/**
 * The load step of `smp run` and smp-action: the profile's load from this machine or from pods
 * (pipeline/in-cluster-load.ts), or, when a comparison is asked for, from pods on both sides.
 */
export function runSmpWithLoad(options: SmpRunOptions, load: LoadSourceSettings, comparison?: ComparisonRequest): Promise<SmpRunOutcome> {
  if (comparison) return runSmpComparison(options, comparisonWithPods(options.profile, load, comparison));
  return withLoadSource(options.profile, load, (pods) => runSmpProfile({ ...options, ...pods, env: pods.env ? { ...options.env, ...pods.env } : options.env }));
}
