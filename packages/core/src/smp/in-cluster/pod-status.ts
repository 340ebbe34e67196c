import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { INDEX_ANNOTATION, LOAD_CONTAINER } from './job.js';

/**
 * How the runner judges a load pod from its status. A pod is done when its `load` container has
 * terminated, whatever the pod's phase: a mesh's non-native sidecar (Istio, Linkerd by default)
 * keeps the pod Running after the load has finished.
 */
export type PodVerdict =
  | { kind: 'pending' }
  | { kind: 'running' }
  | { kind: 'succeeded' }
  | { kind: 'failed'; why: string }
  | { kind: 'never-started'; why: string };

/** Waiting reasons that will not clear by themselves: the container is never going to start. */
const CANNOT_START = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export function podIndex(pod: V1Pod): number | undefined {
  const raw = pod.metadata?.annotations?.[INDEX_ANNOTATION] ?? pod.metadata?.labels?.[INDEX_ANNOTATION];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function loadContainerStatus(pod: V1Pod) {
  return pod.status?.containerStatuses?.find((c) => c.name === LOAD_CONTAINER);
}

/** `pendingLimitMs`: the instant (epoch ms) after which a load container that is not running never started. */
export function judgePod(pod: V1Pod, nowMs: number, pendingLimitMs: number): PodVerdict {
  const load = loadContainerStatus(pod);
  const terminated = load?.state?.terminated;
  if (terminated) {
    if (terminated.exitCode === 0) return { kind: 'succeeded' };
    const detail = [terminated.reason, terminated.message?.trim()].filter(Boolean).join(': ');
    return { kind: 'failed', why: `its load container exited with code ${terminated.exitCode}${detail ? ` (${detail})` : ''}` };
  }
  const status = pod.status;
  if (status?.phase === 'Failed') {
    const detail = [status.reason, status.message].filter(Boolean).join(': ');
    return { kind: 'failed', why: status.reason === 'Evicted' ? `it was evicted (${detail})` : `the pod failed${detail ? ` (${detail})` : ''}` };
  }
  if (status?.phase === 'Succeeded') return { kind: 'failed', why: 'the pod succeeded without a status for its load container' };
  if (pod.metadata?.deletionTimestamp) return { kind: 'failed', why: 'it was deleted before its load container finished' };
  const waiting = load?.state?.waiting;
  if (waiting?.reason && CANNOT_START.has(waiting.reason)) return { kind: 'never-started', why: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` };
  if (load?.state?.running) return { kind: 'running' };
  if (nowMs > pendingLimitMs) {
    const unscheduled = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    const why = waiting?.reason ?? (unscheduled ? `unschedulable: ${unscheduled.message ?? unscheduled.reason ?? ''}` : undefined);
    return { kind: 'never-started', why: `still ${status?.phase ?? 'Pending'} when its load should have been running${why ? ` (${why})` : ''}` };
  }
  return { kind: 'pending' };
}

/** The last few events about an object, one line each, for error messages. */
export function describeEvents(events: readonly CoreV1Event[], last = 5): string {
  if (events.length === 0) return 'no events';
  return events
    .slice(-last)
    .map((e) => `${e.type ?? 'Normal'} ${e.reason ?? ''}: ${(e.message ?? '').trim()}${e.count && e.count > 1 ? ` (×${e.count})` : ''}`)
    .join('; ');
}
