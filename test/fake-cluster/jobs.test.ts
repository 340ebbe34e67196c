// batch/v1 Jobs on the fake cluster: admission as kube-apiserver, the Job and TTL controllers, deletion
// propagation, and Job pods run as local Node processes with CRI logs (test/support/fake-cluster/README.md).
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import { apiError, clients, raw, until, type Cluster } from './clients.js';
import { alive, jobCondition, jobPods, loadJob, podPid, runJob } from './job-helpers.js';

let cluster: Cluster;
let c: ReturnType<typeof clients>;
const NS = 'jobs';

beforeAll(async () => {
  cluster = await startFakeCluster();
  c = clients(cluster);
  await c.core.createNamespace({ body: { metadata: { name: NS } } });
});
afterAll(() => cluster?.close());

const SLEEPER = `console.log('pid ' + process.pid); setInterval(() => {}, 1000);`;

describe('Job admission', () => {
  it('refuses a pod template whose restartPolicy is Always (the pod default), as kube-apiserver does', async () => {
    const job = loadJob('always', 'none');
    delete job.spec!.template.spec!.restartPolicy;
    const e = await apiError(c.batch.createNamespacedJob({ namespace: NS, body: job }));
    expect(e.code).toBe(422);
    expect(e.status.message).toBe('Job.batch "always" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    job.spec!.template.spec!.restartPolicy = 'Always';
    expect((await apiError(c.batch.createNamespacedJob({ namespace: NS, body: job }))).code).toBe(422);
  });

  it('refuses Indexed without completions, and negative counts', async () => {
    const job = loadJob('nocompletions', 'none', { pods: 2 });
    delete job.spec!.completions;
    const e = await apiError(c.batch.createNamespacedJob({ namespace: NS, body: job }));
    expect(e.code).toBe(422);
    expect(e.status.message).toContain('spec.completions: Required value: when completion mode is Indexed');
    const neg = loadJob('negative', 'none', { backoffLimit: -1, activeDeadlineSeconds: -5 });
    const e2 = await apiError(c.batch.createNamespacedJob({ namespace: NS, body: neg }));
    expect(e2.code).toBe(422);
    expect(e2.status.details.causes.map((x: any) => x.field).sort()).toEqual(['spec.activeDeadlineSeconds', 'spec.backoffLimit']);
  });

  it('defaults as kube-apiserver: generated selector and labels, backoffLimit 6, completions and parallelism 1', async () => {
    const job = loadJob('defaults', 'none', { pods: 1 });
    delete job.spec!.completions;
    delete job.spec!.parallelism;
    delete job.spec!.backoffLimit;
    delete job.spec!.completionMode;
    const created = await c.batch.createNamespacedJob({ namespace: NS, body: job, dryRun: 'All' });
    expect(created.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
    const uid = created.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid'];
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.spec?.template.metadata?.labels).toMatchObject({ 'batch.kubernetes.io/job-name': 'defaults', 'job-name': 'defaults', 'controller-uid': uid });
    const list = await raw(cluster, 'GET', '/apis/batch/v1');
    expect(list.body.resources.map((r: any) => r.name)).toEqual(['jobs', 'jobs/status']);
  });

  it('backoffLimitPerIndex: backoffLimit defaults to MaxInt32 with it; it requires Indexed, and maxFailedIndexes requires it', async () => {
    const job = loadJob('perindex', 'none', { pods: 2, backoffLimitPerIndex: 0 });
    delete job.spec!.backoffLimit;
    const created = await c.batch.createNamespacedJob({ namespace: NS, body: job, dryRun: 'All' });
    expect(created.spec).toMatchObject({ backoffLimitPerIndex: 0, backoffLimit: 2147483647 });
    const nonIndexed = loadJob('perindex-nonindexed', 'none', { pods: 1, backoffLimitPerIndex: 1 });
    nonIndexed.spec!.completionMode = 'NonIndexed';
    const e = await apiError(c.batch.createNamespacedJob({ namespace: NS, body: nonIndexed }));
    expect(e.code).toBe(422);
    expect(e.status.message).toContain('spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode');
    const orphan = loadJob('maxfailed', 'none', { pods: 2, maxFailedIndexes: 1 });
    const e2 = await apiError(c.batch.createNamespacedJob({ namespace: NS, body: orphan }));
    expect(e2.status.details.causes.map((x: any) => x.field)).toEqual(['spec.backoffLimitPerIndex']);
  });

  it('a server before 1.29 (JobBackoffLimitPerIndex off) drops backoffLimitPerIndex and maxFailedIndexes on create', async () => {
    const old = await startFakeCluster({ kubernetesVersion: 'v1.28.15' });
    try {
      const oc = clients(old);
      await oc.core.createNamespace({ body: { metadata: { name: NS } } });
      const created = await oc.batch.createNamespacedJob({ namespace: NS, body: loadJob('perindex', 'none', { pods: 2, backoffLimitPerIndex: 0, maxFailedIndexes: 1 }) });
      expect(created.spec).not.toHaveProperty('backoffLimitPerIndex');
      expect(created.spec).not.toHaveProperty('maxFailedIndexes');
      expect(created.spec?.backoffLimit).toBe(0);
    } finally {
      await old.close();
    }
  });
});

describe('the Job controller and process pods', () => {
  it('runs indexed pods as processes with their index in env, annotation, label and hostname, and the ConfigMap as files', async () => {
    const script = `const fs = require('fs');
console.log(JSON.stringify({ index: process.env.JOB_COMPLETION_INDEX, host: process.env.HOSTNAME, plan: process.env.MESHSPEC_LOAD_PLAN,
  data: fs.readFileSync(require('path').join(__dirname, 'data.txt'), 'utf8'), self: __filename.endsWith('/worker.cjs') }));`;
    await runJob(c, NS, 'indexed', script, { pods: 3, env: { MESHSPEC_LOAD_PLAN: '{"rate":10}' }, files: { 'data.txt': 'from the ConfigMap' } });
    const job = await jobCondition(c, NS, 'indexed');
    expect(job.status?.conditions?.[0]).toMatchObject({ type: 'Complete', status: 'True' });
    expect(job.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    expect(job.status?.completionTime).toBeTruthy();
    const pods = await jobPods(c, NS, 'indexed');
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      const index = p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index']).toBe(index);
      expect(p.metadata?.name).toMatch(new RegExp(`^indexed-${index}-[a-z0-9]{5}$`));
      expect(p.spec?.hostname).toBe(`indexed-${index}`);
      expect(p.spec?.nodeName).toBe('fake-node');
      expect(p.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Job', name: 'indexed', controller: true, blockOwnerDeletion: true })]);
      expect(p.spec?.containers[0].env).toContainEqual({
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
      });
      expect(p.status?.phase).toBe('Succeeded');
      const cs = p.status?.containerStatuses?.[0];
      expect(cs?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
      expect(cs?.imageID).toBe('docker.io/library/node@sha256:d32cdf619f63fe0471182d08996dd516c6275bb5fd31ae06e55a570bd9e1ad43');
      expect(cs?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
      const out = JSON.parse(await c.core.readNamespacedPodLog({ name: p.metadata!.name!, namespace: NS }));
      expect(out).toEqual({ index, host: `indexed-${index}`, plan: '{"rate":10}', data: 'from the ConfigMap', self: true });
    }
    const events = (await c.core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${pods[0].metadata!.name}` })).items.map((e) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started']));
  });

  it('gives back a 200 KB stdout line whole on a plain log GET; tailLines counts 16 KiB records', async () => {
    const script = `process.stdout.write('before\\n' + 'MARK ' + 'a'.repeat(100000) + 'b'.repeat(100000) + ' END\\n');`;
    await runJob(c, NS, 'longline', script);
    await jobCondition(c, NS, 'longline');
    const [pod] = await jobPods(c, NS, 'longline');
    const name = pod.metadata!.name!;
    const log = await c.core.readNamespacedPodLog({ name, namespace: NS });
    const line = `MARK ${'a'.repeat(100000)}${'b'.repeat(100000)} END`;
    expect(log).toBe(`before\n${line}\n`);
    const tail = await c.core.readNamespacedPodLog({ name, namespace: NS, tailLines: 1 });
    expect(Buffer.byteLength(tail)).toBeLessThan(16 * 1024);
    expect(tail).toBe(`${line.slice(Math.floor(line.length / 16384) * 16384)}\n`);
    expect(await c.core.readNamespacedPodLog({ name, namespace: NS, limitBytes: 10 })).toBe('before\nMAR');
    const stamped = await c.core.readNamespacedPodLog({ name, namespace: NS, timestamps: true });
    expect(stamped.split('\n').filter(Boolean).map((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(l))).toEqual([true, true]);
  });

  it('a pod killed mid-run ends Failed with exit 137; backoffLimit 0 fails the Job and its other pods are killed', async () => {
    await runJob(c, NS, 'killed', SLEEPER, { pods: 3 });
    const pods = await until('3 running pods', async () => {
      const ps = await jobPods(c, NS, 'killed');
      return ps.length === 3 && ps.every((p) => p.status?.phase === 'Running') && ps;
    });
    const pids = await Promise.all(pods.map((p) => podPid(c, NS, p.metadata!.name!)));
    expect(pids.every(alive)).toBe(true);
    process.kill(pids[0], 'SIGKILL');
    const job = await jobCondition(c, NS, 'killed');
    expect(job.status?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(job.status?.failed).toBe(3);
    const victim = await c.core.readNamespacedPod({ name: pods[0].metadata!.name!, namespace: NS });
    expect(victim.status?.phase).toBe('Failed');
    expect(victim.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await until('the other pods deleted and their processes gone', async () => (await jobPods(c, NS, 'killed')).length === 1 && !alive(pids[1]) && !alive(pids[2]));
  });

  it('backoffLimitPerIndex 0: a killed pod fails its index only, the others run to the end, then FailedIndexes', async () => {
    const script = `console.log('pid ' + process.pid); setTimeout(() => process.exit(0), 2500); setInterval(() => {}, 1000);`;
    await runJob(c, NS, 'perindex-killed', script, { pods: 3, backoffLimitPerIndex: 0, backoffLimit: 2 });
    const pods = await until('3 running pods', async () => {
      const ps = await jobPods(c, NS, 'perindex-killed');
      return ps.length === 3 && ps.every((p) => p.status?.phase === 'Running') && ps;
    });
    const byIndex = (i: number) => pods.find((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === String(i))!;
    process.kill(await podPid(c, NS, byIndex(1).metadata!.name!), 'SIGKILL');
    const job = await jobCondition(c, NS, 'perindex-killed');
    expect(job.status?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'FailedIndexes', message: 'Job has failed indexes' });
    expect(job.status).toMatchObject({ failed: 1, succeeded: 2, completedIndexes: '0,2', failedIndexes: '1' });
    const phases = (await jobPods(c, NS, 'perindex-killed')).map((p) => p.status?.phase).sort();
    // The failed index is not replaced: three pods, one Failed, two Succeeded.
    expect(phases).toEqual(['Failed', 'Succeeded', 'Succeeded']);
  });

  it('backoffLimit still counts with backoffLimitPerIndex: more failed pods than it fail the Job and stop the rest', async () => {
    await runJob(c, NS, 'perindex-limit', SLEEPER, { pods: 3, backoffLimitPerIndex: 0, backoffLimit: 0 });
    const pods = await until('3 running pods', async () => {
      const ps = await jobPods(c, NS, 'perindex-limit');
      return ps.length === 3 && ps.every((p) => p.status?.phase === 'Running') && ps;
    });
    const pids = await Promise.all(pods.map((p) => podPid(c, NS, p.metadata!.name!)));
    process.kill(pids[0], 'SIGKILL');
    const job = await jobCondition(c, NS, 'perindex-limit');
    expect(job.status?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
    await until('the other pods gone', async () => !alive(pids[1]) && !alive(pids[2]));
  });

  it('a Job created suspended gets no pods and no startTime until it is resumed', async () => {
    await runJob(c, NS, 'suspended', `process.exit(0)`, { pods: 2, suspend: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(await jobPods(c, NS, 'suspended')).toEqual([]);
    expect((await c.batch.readNamespacedJob({ name: 'suspended', namespace: NS })).status?.startTime).toBeUndefined();
    await c.batch.patchNamespacedJob({ name: 'suspended', namespace: NS, body: { spec: { suspend: false } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const job = await jobCondition(c, NS, 'suspended');
    expect(job.status?.conditions?.[0]).toMatchObject({ type: 'Complete' });
    expect(job.status?.startTime).toBeDefined();
  });

  it('activeDeadlineSeconds kills the active pods and fails the Job with DeadlineExceeded', async () => {
    // startTime has second precision (as on a real server), so the deadline falls 2-3 s after the Job starts
    await runJob(c, NS, 'deadline', SLEEPER, { pods: 2, activeDeadlineSeconds: 3 });
    const pods = await until('2 pods', async () => {
      const ps = await jobPods(c, NS, 'deadline');
      return ps.length === 2 && ps;
    });
    const pids = await Promise.all(pods.map((p) => podPid(c, NS, p.metadata!.name!)));
    const job = await jobCondition(c, NS, 'deadline');
    expect(job.status?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    const elapsed = Date.parse(job.status!.conditions![0].lastTransitionTime as unknown as string) - Date.parse(job.status!.startTime as unknown as string);
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    await until('processes gone', () => pids.every((p) => !alive(p)));
    expect(await jobPods(c, NS, 'deadline')).toHaveLength(0);
  });

  it('ttlSecondsAfterFinished deletes a finished Job and, through GC, its pods', async () => {
    await runJob(c, NS, 'ttl', `console.log('done')`, { ttlSecondsAfterFinished: 1 });
    await jobCondition(c, NS, 'ttl');
    expect(await jobPods(c, NS, 'ttl')).toHaveLength(1);
    const finishedAt = Date.now();
    await until('the Job deleted', async () => (await apiError(c.batch.readNamespacedJob({ name: 'ttl', namespace: NS }))).code === 404, 5000);
    expect(Date.now() - finishedAt).toBeGreaterThan(500);
    await until('its pod deleted', async () => (await jobPods(c, NS, 'ttl')).length === 0);
  });
});

describe('deleting a Job', () => {
  it('without a propagation policy orphans its pods, which keep running', async () => {
    await runJob(c, NS, 'orphan', SLEEPER, { pods: 2 });
    const pods = await until('2 pods', async () => {
      const ps = await jobPods(c, NS, 'orphan');
      return ps.length === 2 && ps;
    });
    const pids = await Promise.all(pods.map((p) => podPid(c, NS, p.metadata!.name!)));
    await c.batch.deleteNamespacedJob({ name: 'orphan', namespace: NS });
    await cluster.idle();
    await new Promise((r) => setTimeout(r, 300));
    const left = await jobPods(c, NS, 'orphan');
    expect(left).toHaveLength(2);
    expect(left.every((p) => p.status?.phase === 'Running' && !p.metadata?.ownerReferences)).toBe(true);
    expect(pids.every(alive)).toBe(true);
    for (const p of left) await c.core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: NS });
    await until('deleting the pods kills their processes', () => pids.every((p) => !alive(p)));
  });

  it('with Background deletes its pods and the ConfigMap it owns', async () => {
    const job = await runJob(c, NS, 'background', SLEEPER, { pods: 2 });
    await c.core.patchNamespacedConfigMap({
      name: 'background',
      namespace: NS,
      body: [{ op: 'add', path: '/metadata/ownerReferences', value: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'background', uid: job.metadata!.uid!, controller: true, blockOwnerDeletion: true }] }],
    });
    const pods = await until('2 pods', async () => {
      const ps = await jobPods(c, NS, 'background');
      return ps.length === 2 && ps;
    });
    const pids = await Promise.all(pods.map((p) => podPid(c, NS, p.metadata!.name!)));
    await c.batch.deleteNamespacedJob({ name: 'background', namespace: NS, propagationPolicy: 'Background' });
    await until('pods and ConfigMap gone', async () =>
      (await jobPods(c, NS, 'background')).length === 0 && (await apiError(c.core.readNamespacedConfigMap({ name: 'background', namespace: NS }))).code === 404);
    await until('processes gone', () => pids.every((p) => !alive(p)));
    const e = await apiError(c.core.readNamespacedPodLog({ name: pods[0].metadata!.name!, namespace: NS }));
    expect(e.code).toBe(404);
  });
});

describe('pods that cannot start', () => {
  it('a missing ConfigMap keeps the pod in ContainerCreating with FailedMount events', async () => {
    await c.batch.createNamespacedJob({ namespace: NS, body: loadJob('nomount', 'not-there') });
    const [pod] = await until('a pod', async () => {
      const ps = await jobPods(c, NS, 'nomount');
      return ps.length === 1 && ps;
    });
    const name = pod.metadata!.name!;
    await until('FailedMount', async () =>
      (await c.core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${name}` })).items.some((e) => e.reason === 'FailedMount' && e.message?.includes('configmap "not-there" not found')));
    const p = await c.core.readNamespacedPod({ name, namespace: NS });
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0].state?.waiting?.reason).toBe('ContainerCreating');
    const e = await apiError(c.core.readNamespacedPodLog({ name, namespace: NS }));
    expect(e.status.message).toBe(`container "load" in pod "${name}" is waiting to start: ContainerCreating`);
  });
});

it('closing the cluster kills every pod process', async () => {
  const other = await startFakeCluster();
  try {
    const oc = clients(other);
    await runJob(oc, 'default', 'many', SLEEPER, { pods: 3 });
    const pods = await until('3 pods', async () => {
      const ps = await jobPods(oc, 'default', 'many');
      return ps.length === 3 && ps;
    });
    const pids = await Promise.all(pods.map((p) => podPid(oc, 'default', p.metadata!.name!)));
    expect(pids.every(alive)).toBe(true);
    await other.close();
    expect(pids.filter(alive)).toEqual([]);
  } finally {
    await other.close();
  }
});
