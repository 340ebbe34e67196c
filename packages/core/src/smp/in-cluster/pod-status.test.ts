import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeEvents, judgePod, podIndex } from './pod-status.js';

const pod = (status: V1Pod['status'], extra: Partial<V1Pod> = {}): V1Pod => ({
  metadata: { name: 'p', annotations: { 'batch.kubernetes.io/job-completion-index': '3' }, ...(extra.metadata ?? {}) },
  status,
});
const load = (state: object) => ({ name: 'load', image: 'node', imageID: '', ready: false, restartCount: 0, state });
const NOW = 1_000_000;

describe('judging a load pod', () => {
  it('is done when its load container terminated, whatever the phase (a sidecar keeps it Running)', () => {
    const p = pod({ phase: 'Running', containerStatuses: [load({ terminated: { exitCode: 0 } }), { name: 'envoy', image: 'e', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] });
    expect(judgePod(p, NOW, NOW + 1)).toEqual({ kind: 'succeeded' });
    expect(podIndex(p)).toBe(3);
  });

  it('fails on a non-zero exit, an eviction, or a deletion', () => {
    expect(judgePod(pod({ phase: 'Failed', containerStatuses: [load({ terminated: { exitCode: 137, reason: 'Error' } })] }), NOW, NOW + 1)).toEqual({ kind: 'failed', why: 'its load container exited with code 137 (Error)' });
    expect(judgePod(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }), NOW, NOW + 1)).toMatchObject({ kind: 'failed', why: 'it was evicted (Evicted: The node was low on resource: memory.)' });
    expect(judgePod(pod({ phase: 'Running', containerStatuses: [load({ running: {} })] }, { metadata: { deletionTimestamp: new Date() } }), NOW, NOW + 1)).toMatchObject({ kind: 'failed' });
  });

  it('never started: an image that cannot be pulled at once, Pending past the deadline otherwise', () => {
    expect(judgePod(pod({ phase: 'Pending', containerStatuses: [load({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } })] }), NOW, NOW + 1)).toEqual({ kind: 'never-started', why: 'ImagePullBackOff: Back-off pulling image "x"' });
    const pending = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }] });
    expect(judgePod(pending, NOW, NOW + 1)).toEqual({ kind: 'pending' });
    expect(judgePod(pending, NOW + 2, NOW + 1)).toEqual({ kind: 'never-started', why: 'still Pending when its load should have been running (unschedulable: 0/1 nodes are available: 1 Insufficient cpu.)' });
    expect(judgePod(pod({ phase: 'Running', containerStatuses: [load({ running: {} })] }), NOW + 2, NOW + 1)).toEqual({ kind: 'running' });
  });

  it('lists the last events, one line each', () => {
    expect(describeEvents([])).toBe('no events');
    expect(describeEvents([{ type: 'Warning', reason: 'Failed', message: 'ErrImagePull ', count: 3, metadata: {}, involvedObject: {} }])).toBe('Warning Failed: ErrImagePull (×3)');
  });
});
