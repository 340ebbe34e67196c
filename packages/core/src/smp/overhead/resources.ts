import type { PodMetricsList, V1Pod } from '@kubernetes/client-node';
import { describeError, type KubeClient } from '../../kube/client.js';
import type { Logger } from '../../log.js';
import type { Footprint, ResourceUsage } from './figures.js';

/**
 * The mesh's footprint during the meshed windows, from metrics-server (metrics.k8s.io/v1beta1
 * PodMetrics). A sidecar is any container of a meshed pod that the pod's owner did not ask for:
 * neither the service's own containers nor the load pod's `load`. The control plane is every pod in
 * the mesh's control-plane namespace. Each sample sums the CPU and memory of those containers; the
 * figures are the mean and the maximum of those sums over the samples.
 */

const GROUP = 'metrics.k8s.io';

/** CPU in millicores from a Kubernetes quantity ("250m", "1", "12345678n", "1500u"). */
export function cpuMillicores(q: string): number {
  const m = /^([0-9.]+)(n|u|m|)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'n' ? v / 1e6 : m[2] === 'u' ? v / 1e3 : m[2] === 'm' ? v : v * 1000;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Memory in MiB from a Kubernetes quantity ("12345Ki", "64Mi", "1G", "1048576"). */
export function memoryMib(q: string): number {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T|)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const bytes = Number(m[1]) * (BINARY[m[2]!] ?? DECIMAL[m[2]!] ?? Number.NaN);
  return bytes / 2 ** 20;
}

/** The containers of a pod that its template did not ask for: what an injector added (native sidecars included). */
export function addedContainers(pod: V1Pod, appContainers: readonly string[]): string[] {
  const own = new Set([...appContainers, 'load']);
  const names = [
    ...(pod.spec?.containers ?? []).map((c) => c.name),
    // Native sidecars (Kubernetes 1.29+): init containers that keep running, as Istio and Linkerd can inject them.
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
    ...(pod.status?.containerStatuses ?? []).map((c) => c.name),
  ];
  return [...new Set(names.filter((n) => !own.has(n)))];
}

interface Sample {
  sidecars: { cpu: number; mem: number; count: number };
  controlPlane: { cpu: number; mem: number; count: number };
}

export interface ResourceSampler {
  /** Samples only while a meshed window runs. */
  window(active: boolean): void;
  /** Stops and reports; `unavailable` says why there is nothing. */
  stop(): Promise<ResourceUsage | { unavailable: string }>;
}

export interface SamplerOptions {
  kube: KubeClient;
  meshedNamespace: string;
  controlPlaneNamespace?: string;
  appContainers: readonly string[];
  intervalMs: number;
  logger: Logger;
}

/** Checks that metrics-server answers, then samples every intervalMs during the meshed windows. */
export async function startResourceSampler(options: SamplerOptions): Promise<ResourceSampler> {
  const { kube, logger } = options;
  let unavailable: string | undefined;
  try {
    const served = await kube.groupVersions(GROUP);
    if (!served.installed) unavailable = `metrics-server is not installed (${served.detail ?? `discovery lists no ${GROUP}`})`;
    else if (!served.versions.includes('v1beta1')) unavailable = `${GROUP} serves ${served.versions.join(', ')}, not v1beta1`;
  } catch (error) {
    unavailable = `${GROUP} discovery failed: ${describeError(error).message}`;
  }
  if (unavailable) {
    logger.notice(`mesh overhead: no sidecar or control-plane CPU and memory: ${unavailable}`);
    return { window: () => {}, stop: async () => ({ unavailable: unavailable! }) };
  }
  const samples: Sample[] = [];
  let lastError: string | undefined;
  let active = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const own = new Set([...options.appContainers, 'load']);
  const path = (ns: string) => `/apis/${GROUP}/v1beta1/namespaces/${encodeURIComponent(ns)}/pods`;
  const sampleOnce = async () => {
    try {
      const meshed = await kube.getJson<PodMetricsList>(path(options.meshedNamespace));
      const cp = options.controlPlaneNamespace ? await kube.getJson<PodMetricsList>(path(options.controlPlaneNamespace)) : undefined;
      const s: Sample = { sidecars: { cpu: 0, mem: 0, count: 0 }, controlPlane: { cpu: 0, mem: 0, count: 0 } };
      for (const pod of meshed?.items ?? []) {
        for (const c of pod.containers.filter((x) => !own.has(x.name))) add(s.sidecars, c.usage.cpu, c.usage.memory);
      }
      for (const pod of cp?.items ?? []) {
        for (const c of pod.containers) add(s.controlPlane, c.usage.cpu, c.usage.memory, false);
        s.controlPlane.count++;
      }
      // metrics-server reports a pod only after its first scrape: an empty answer is no sample.
      if (s.sidecars.count > 0 || s.controlPlane.count > 0) samples.push(s);
    } catch (error) {
      lastError = describeError(error).message;
    }
  };
  const tick = () => {
    inFlight = inFlight.then(sampleOnce);
  };
  return {
    window(on: boolean) {
      active = on;
      if (active && !timer) {
        tick();
        timer = setInterval(tick, options.intervalMs);
        timer.unref();
      } else if (!active && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await inFlight;
      if (samples.length === 0) {
        return { unavailable: `metrics-server gave no sample of the meshed pods during the meshed windows${lastError ? ` (last error: ${lastError})` : ''}; its scrape interval may be longer than the run` };
      }
      return {
        source: 'metrics.k8s.io/v1beta1',
        samples: samples.length,
        sidecars: footprint(samples.map((s) => s.sidecars)),
        control_plane: options.controlPlaneNamespace && samples.some((s) => s.controlPlane.count > 0) ? { namespace: options.controlPlaneNamespace, ...footprint(samples.map((s) => s.controlPlane))! } : null,
      };
    },
  };
}

function add(into: Sample['sidecars'], cpu: string, memory: string, count = true): void {
  const c = cpuMillicores(cpu);
  const m = memoryMib(memory);
  if (Number.isFinite(c)) into.cpu += c;
  if (Number.isFinite(m)) into.mem += m;
  if (count) into.count++;
}

const r = (v: number) => Math.round(v * 1000) / 1000;

export function footprint(sums: Array<{ cpu: number; mem: number; count: number }>): Footprint | null {
  const seen = sums.filter((s) => s.count > 0);
  if (seen.length === 0) return null;
  const mean = (pick: (s: (typeof seen)[number]) => number) => r(seen.reduce((a, s) => a + pick(s), 0) / seen.length);
  const max = (pick: (s: (typeof seen)[number]) => number) => r(Math.max(...seen.map(pick)));
  return {
    count: Math.max(...seen.map((s) => s.count)),
    cpu_millicores: { mean: mean((s) => s.cpu), max: max((s) => s.cpu) },
    memory_mib: { mean: mean((s) => s.mem), max: max((s) => s.mem) },
  };
}
