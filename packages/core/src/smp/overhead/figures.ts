import type { SmpResult } from '../result.js';
import type { OverheadSide } from './sides.js';

/** One side's headline figures, read from its own result (the merge of its windows). */
export interface SideFigures {
  namespace: string;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  actual_qps: number;
  /** Requests that completed in that side's windows, and how many failed. */
  requests: number;
  errors: number;
  /** Its result file, beside smp-result.json. */
  result_file: string;
}

/** meshed − plain, in the figure's unit and relative to plain (percent); null when either side has no figure. */
export interface Delta {
  change: number | null;
  percent: number | null;
}

/** What a comparison measured of a sidecar's or control plane's footprint, summed per sample over its containers. */
export interface Footprint {
  /** How many containers (sidecars) or pods (control plane) the sums cover, at most, over the samples. */
  count: number;
  cpu_millicores: { mean: number; max: number };
  memory_mib: { mean: number; max: number };
}

export interface ResourceUsage {
  source: 'metrics.k8s.io/v1beta1';
  /** Samples taken during the meshed windows. */
  samples: number;
  /** The containers the mesh added to the meshed side's pods (service and load pods). */
  sidecars: Footprint | null;
  /** The mesh's control-plane pods. */
  control_plane: (Footprint & { namespace: string }) | null;
}

/** `stats.mesh_overhead` in smp-result.json (schemas/smp-result.schema.json). */
export interface MeshOverhead {
  mesh: string;
  mesh_type: number;
  namespaces: Record<OverheadSide, string>;
  /** Interleaved pairs of windows (plain, meshed, then meshed, plain, ...). */
  pairs: number;
  without_mesh: SideFigures;
  with_mesh: SideFigures;
  deltas: { p50_ms: Delta; p90_ms: Delta; p99_ms: Delta; actual_qps: Delta };
  /** Sidecar and control-plane CPU and memory during the meshed windows; null when metrics-server did not answer. */
  resources: ResourceUsage | null;
  /** Why `resources` is null. */
  resources_unavailable?: string;
}

const round = (v: number, decimals = 3): number => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
};

export function delta(plain: number | null, meshed: number | null): Delta {
  if (plain === null || meshed === null) return { change: null, percent: null };
  return { change: round(meshed - plain), percent: plain !== 0 ? round(((meshed - plain) / plain) * 100, 2) : null };
}

export function sideFigures(result: SmpResult, namespace: string, resultFile: string): SideFigures {
  return {
    namespace,
    p50_ms: result.latencies_ms.p50,
    p90_ms: result.latencies_ms.p90,
    p99_ms: result.latencies_ms.p99,
    actual_qps: result.actual_qps,
    requests: result.stats.requests,
    errors: result.stats.errors,
    result_file: resultFile,
  };
}

export function meshOverheadOf(
  sides: { plain: SideFigures; meshed: SideFigures },
  context: { mesh: string; meshType: number; pairs: number; resources: ResourceUsage | { unavailable: string } },
): MeshOverhead {
  const { plain, meshed } = sides;
  const measured = 'unavailable' in context.resources ? undefined : context.resources;
  return {
    mesh: context.mesh,
    mesh_type: context.meshType,
    namespaces: { plain: plain.namespace, meshed: meshed.namespace },
    pairs: context.pairs,
    without_mesh: plain,
    with_mesh: meshed,
    deltas: {
      p50_ms: delta(plain.p50_ms, meshed.p50_ms),
      p90_ms: delta(plain.p90_ms, meshed.p90_ms),
      p99_ms: delta(plain.p99_ms, meshed.p99_ms),
      actual_qps: delta(plain.actual_qps, meshed.actual_qps),
    },
    resources: measured ?? null,
    ...('unavailable' in context.resources ? { resources_unavailable: context.resources.unavailable } : {}),
  };
}
