// Job pods on the fake cluster with the simulated mesh: the injected sidecar that outlives the load container,
// and images the node cannot pull.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { clients, until, type Cluster } from './clients.js';
import { jobCondition, jobPods, runJob } from './job-helpers.js';

const UNPULLABLE = 'node:24-alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000';
let cluster: Cluster;
let c: ReturnType<typeof clients>;
const MESHED = 'meshed-jobs';

beforeAll(async () => {
  cluster = (await startFakeClusterWithMesh({ profile: 'osm', seed: 1, meshOptions: { unpullableImages: [UNPULLABLE] } })) as Cluster;
  c = clients(cluster);
  await c.core.createNamespace({
    body: { metadata: { name: MESHED, labels: { 'openservicemesh.io/monitored-by': 'osm' }, annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' } } },
  });
});
afterAll(() => cluster?.close());

describe('a meshed Job pod', () => {
  it('stays Running after its load container exits, so the Job completes never and fails at its deadline', async () => {
    await runJob(c, MESHED, 'sidecar', `console.log('done')`, { activeDeadlineSeconds: 4 });
    const [pod] = await until('the load container terminated', async () => {
      const ps = await jobPods(c, MESHED, 'sidecar');
      return ps.length === 1 && ps[0].status?.containerStatuses?.find((s) => s.name === 'load')?.state?.terminated && ps;
    });
    expect(pod.spec?.containers.map((x) => x.name)).toEqual(['load', 'envoy']);
    expect(pod.status?.phase).toBe('Running');
    const byName = Object.fromEntries((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
    expect(byName.load.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(byName.envoy.state?.running?.startedAt).toBeTruthy();
    expect(pod.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(await c.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: MESHED, container: 'load' })).toBe('done\n');
    await new Promise((r) => setTimeout(r, 500));
    const still = await c.core.readNamespacedPod({ name: pod.metadata!.name!, namespace: MESHED });
    expect(still.status?.phase).toBe('Running');
    const job = await jobCondition(c, MESHED, 'sidecar', 10_000);
    expect(job.status?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded' });
    expect(job.status?.succeeded).toBeUndefined();
  });

  it('an unmeshed namespace gets no sidecar and the Job completes', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'plain-jobs' } } });
    await runJob(c, 'plain-jobs', 'nosidecar', `console.log('done')`);
    const job = await jobCondition(c, 'plain-jobs', 'nosidecar');
    expect(job.status?.conditions?.[0].type).toBe('Complete');
    const [pod] = await jobPods(c, 'plain-jobs', 'nosidecar');
    expect(pod.spec?.containers.map((x) => x.name)).toEqual(['load']);
  });
});

it('an image the node cannot pull keeps the pod Pending in ImagePullBackOff, with the events kubelet records', async () => {
  await runJob(c, MESHED, 'nopull', `console.log('never')`, { image: UNPULLABLE });
  const [pod] = await until('ImagePullBackOff', async () => {
    const ps = await jobPods(c, MESHED, 'nopull');
    return ps.length === 1 && ps[0].status?.containerStatuses?.find((s) => s.name === 'load')?.state?.waiting?.reason === 'ImagePullBackOff' && ps;
  });
  expect(pod.status?.phase).toBe('Pending');
  const events = (await c.core.listNamespacedEvent({ namespace: MESHED, fieldSelector: `involvedObject.name=${pod.metadata!.name}` })).items;
  const reasons = events.map((e) => `${e.reason}: ${e.message}`);
  expect(reasons).toEqual(expect.arrayContaining([`Pulling: Pulling image "${UNPULLABLE}"`, 'Failed: Error: ErrImagePull', `BackOff: Back-off pulling image "${UNPULLABLE}"`, 'Failed: Error: ImagePullBackOff']));
});
