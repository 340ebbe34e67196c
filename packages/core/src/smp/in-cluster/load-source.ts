import { hostname } from 'node:os';

/**
 * Where the load of a run came from: `stats.load_source` in smp-result.json (schemas/
 * smp-result.schema.json). For load from the runner, one "node" (this host) and no pods; for an
 * in-cluster run, the pods of the load Job with their nodes and image IDs.
 */
export interface LoadSource {
  kind: 'runner' | 'pods';
  pods: LoadPod[];
  /** Distinct node names, sorted (the runner's hostname for runner load). */
  nodes: string[];
  /** Distinct image IDs the pods ran (`status.containerStatuses[name=load].imageID`), sorted. */
  images: string[];
}

export interface LoadPod {
  name: string;
  /** The pod's JOB_COMPLETION_INDEX. */
  index: number;
  node: string | null;
  image_id: string | null;
  /** How late the pod's load started against the common start time (ms, its own clock); null when it never reported. */
  start_offset_ms: number | null;
  outcome: 'succeeded' | 'failed' | 'never-started' | 'cancelled';
}

export function runnerLoadSource(host: string = hostname()): LoadSource {
  return { kind: 'runner', pods: [], nodes: [host], images: [] };
}
