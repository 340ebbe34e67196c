// The Job controller and the TTL-after-finished controller, as kube-controller-manager v1.30 runs them
// (kubernetes/kubernetes pkg/controller/job/job_controller.go, indexed_job_utils.go;
// pkg/controller/ttlafterfinished/ttlafterfinished_controller.go):
// - pods are created from the template, owned by the Job (controller, blockOwnerDeletion);
// - Indexed: one pod per index not yet succeeded, named `<job>-<index>-<5 random>` (generateName `<job>-<index>-`),
//   with the index in the annotation and (1.28+) the label `batch.kubernetes.io/job-completion-index`, in
//   `JOB_COMPLETION_INDEX` of every container through the downward API, and hostname `<job>-<index>`;
// - a pod that ends Failed counts against `backoffLimit`; more failures than that fail the Job
//   (condition Failed, reason BackoffLimitExceeded) and the controller deletes the Job's active pods;
//   a replacement waits the pod-failure back-off, 10 s doubling up to 6 min;
// - `backoffLimitPerIndex` (Indexed): an index whose pods failed more often than that is failed and never
//   replaced, and the other indexes run on; `backoffLimit` is still checked first. When every index has
//   succeeded or failed and some failed: condition Failed, reason FailedIndexes ("Job has failed indexes");
//   more failed indexes than `maxFailedIndexes`: MaxFailedIndexesExceeded, active pods deleted.
//   `status.failedIndexes` lists them as `completedIndexes` does (syncJob, calculateFailedIndexes). Replacements
//   of an index below its limit wait the Job-wide back-off here, not a per-index one;
// - `suspend`: no pods are created and `startTime` stays unset until the Job is resumed (suspending a running
//   Job, which deletes its active pods, is not modelled);
// - `activeDeadlineSeconds` after `status.startTime`: active pods are deleted, condition Failed, DeadlineExceeded;
// - all completions succeeded: condition Complete and `completionTime`;
// - a pod deleted before it ended counts as failed (the job-tracking finalizer's accounting);
// - a finished Job with `ttlSecondsAfterFinished` is deleted that many seconds after it finished, with
//   propagation Foreground (the TTL controller's policy), so its pods go with it.
import { recordEvent } from './events.mjs';
import { now } from './store.mjs';

const PODS = { group: '', resource: 'pods' };
const JOBS = { group: 'batch', resource: 'jobs' };
const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * @param {{ store: import('./store.mjs').Store, enqueue: (key: string, job: () => unknown) => void,
 *   deleteWithDependents: (ref: any) => void }} deps
 */
export function createJobController({ store, enqueue, deleteWithDependents }) {
  /** @type {Map<string, { succeeded: Map<string, number>, failed: Map<string, number>, lastFailure: number }>} job uid -> terminated pods seen (pod uid -> index) */
  const seen = new Map();
  /** @type {Map<string, NodeJS.Timeout>} */
  const timers = new Map();

  const schedule = (key, at, fn) => {
    clearTimeout(timers.get(key));
    const t = setTimeout(() => {
      timers.delete(key);
      fn();
    }, Math.max(0, at - Date.now()));
    t.unref?.();
    timers.set(key, t);
  };

  const reconcileSoon = (namespace, name) => enqueue(`job/${namespace}/${name}`, () => reconcile(namespace, name));
  const ownerJob = (pod) => (pod.metadata.ownerReferences ?? []).find((o) => o.kind === 'Job' && o.apiVersion === 'batch/v1' && o.controller);
  const tracking = (uid) => {
    let t = seen.get(uid);
    if (!t) seen.set(uid, (t = { succeeded: new Map(), failed: new Map(), lastFailure: 0 }));
    return t;
  };

  /** @param {import('./store.mjs').ChangeEvent} ev */
  function onChange(ev) {
    const { type, group, resource, namespace, name, object } = ev;
    if (group === 'batch' && resource === 'jobs') {
      if (type === 'DELETED') {
        seen.delete(object.metadata.uid);
        for (const k of [`deadline/${object.metadata.uid}`, `ttl/${object.metadata.uid}`, `backoff/${object.metadata.uid}`]) {
          clearTimeout(timers.get(k));
          timers.delete(k);
        }
      } else reconcileSoon(namespace, name);
      return;
    }
    if (group !== '' || resource !== 'pods') return;
    const owner = ownerJob(object);
    if (!owner) return;
    if (type === 'DELETED' && !['Succeeded', 'Failed'].includes(object.status?.phase)) {
      const job = store.get({ ...JOBS, namespace, name: owner.name });
      if (job?.metadata.uid === owner.uid && !finished(job)) {
        const t = tracking(owner.uid);
        t.failed.set(object.metadata.uid, indexOf(object));
        t.lastFailure = Date.now();
      }
    }
    reconcileSoon(namespace, owner.name);
  }

  function reconcile(namespace, name) {
    const job = store.get({ ...JOBS, namespace, name });
    if (!job) return;
    if (finished(job)) return scheduleTtl(job);
    const spec = job.spec;
    const uid = job.metadata.uid;
    const t = tracking(uid);
    const pods = store.list({ ...PODS, namespace }).filter((p) => ownerJob(p)?.uid === uid);
    for (const p of pods) {
      if (p.status?.phase === 'Succeeded' && !t.succeeded.has(p.metadata.uid)) t.succeeded.set(p.metadata.uid, indexOf(p));
      if (p.status?.phase === 'Failed' && !t.failed.has(p.metadata.uid)) {
        t.failed.set(p.metadata.uid, indexOf(p));
        t.lastFailure = Date.now();
      }
    }
    const active = pods.filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase));
    const indexed = spec.completionMode === 'Indexed';
    const doneIndexes = new Set([...t.succeeded.values()].filter((i) => i >= 0));
    const succeeded = indexed ? doneIndexes.size : t.succeeded.size;
    const startTime = job.status?.startTime ?? (spec.suspend ? undefined : now());
    const perIndex = indexed && spec.backoffLimitPerIndex != null;
    /** Indexes whose pods failed more often than backoffLimitPerIndex: never replaced. */
    const failedIndexes = new Set();
    if (perIndex) {
      const failures = new Map();
      for (const i of t.failed.values()) if (i >= 0) failures.set(i, (failures.get(i) ?? 0) + 1);
      for (const [i, n] of failures) if (n > spec.backoffLimitPerIndex && !doneIndexes.has(i)) failedIndexes.add(i);
    }
    const failedIndexesText = perIndex ? compress(failedIndexes) : undefined;

    /** @param {string} reason @param {string} message */
    const fail = (reason, message) => {
      for (const p of active) {
        t.failed.set(p.metadata.uid, indexOf(p));
        store.delete({ ...PODS, namespace, name: p.metadata.name });
      }
      writeStatus(job, {
        startTime,
        active: 0,
        succeeded,
        failed: t.failed.size,
        completedIndexes: indexed ? compress(doneIndexes) : undefined,
        failedIndexes: failedIndexesText,
        conditions: [condition(job, 'Failed', reason, message)],
      });
      recordEvent(store, job, { type: 'Warning', reason, message, component: 'job-controller' });
    };

    if (spec.activeDeadlineSeconds != null && startTime) {
      const deadline = Date.parse(startTime) + spec.activeDeadlineSeconds * 1000;
      if (Date.now() >= deadline) return fail('DeadlineExceeded', 'Job was active longer than specified deadline');
      schedule(`deadline/${uid}`, deadline, () => reconcileSoon(namespace, name));
    }
    if (t.failed.size > spec.backoffLimit) return fail('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    if (perIndex) {
      if (spec.maxFailedIndexes != null && failedIndexes.size > spec.maxFailedIndexes) {
        return fail('MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes');
      }
      if (failedIndexes.size > 0 && failedIndexes.size + doneIndexes.size >= spec.completions) return fail('FailedIndexes', 'Job has failed indexes');
    }

    const completions = spec.completions;
    if (completions != null && succeeded >= completions) {
      writeStatus(job, {
        startTime,
        completionTime: now(),
        active: 0,
        succeeded,
        failed: t.failed.size,
        completedIndexes: indexed ? compress(doneIndexes) : undefined,
        failedIndexes: failedIndexesText,
        conditions: [condition(job, 'Complete', undefined, undefined)],
      });
      recordEvent(store, job, { reason: 'Completed', message: 'Job completed', component: 'job-controller' });
      return;
    }

    let activeCount = active.length;
    if (!spec.suspend) {
      const backoffUntil = t.failed.size ? t.lastFailure + Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (t.failed.size - 1)) : 0;
      if (Date.now() < backoffUntil) schedule(`backoff/${uid}`, backoffUntil, () => reconcileSoon(namespace, name));
      else if (indexed) {
        const held = new Set(active.map(indexOf));
        for (let i = 0; i < completions && activeCount < spec.parallelism; i++) {
          if (doneIndexes.has(i) || held.has(i) || failedIndexes.has(i)) continue;
          createPod(job, i);
          activeCount++;
        }
      } else {
        const want = completions == null ? (succeeded > 0 ? 0 : spec.parallelism) : Math.min(spec.parallelism, completions - succeeded);
        for (; activeCount < want; activeCount++) createPod(job, undefined);
      }
    }
    const ready = active.filter((p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
    writeStatus(job, {
      startTime,
      active: activeCount,
      succeeded,
      failed: t.failed.size,
      ready,
      completedIndexes: indexed ? compress(doneIndexes) : undefined,
      failedIndexes: failedIndexesText,
      conditions: job.status?.conditions,
    });
  }

  function writeStatus(job, s) {
    store.mutate({ ...JOBS, namespace: job.metadata.namespace, name: job.metadata.name }, (j) => {
      if (j.metadata.uid !== job.metadata.uid) return false;
      /** @type {Record<string, unknown>} */
      const status = {};
      if (s.conditions?.length) status.conditions = s.conditions;
      if (s.startTime) status.startTime = s.startTime;
      if (s.completionTime) status.completionTime = s.completionTime;
      if (s.active) status.active = s.active;
      if (s.succeeded) status.succeeded = s.succeeded;
      if (s.failed) status.failed = s.failed;
      if (s.completedIndexes) status.completedIndexes = s.completedIndexes;
      if (s.failedIndexes !== undefined) status.failedIndexes = s.failedIndexes;
      status.terminating = 0;
      status.uncountedTerminatedPods = {};
      status.ready = s.ready ?? 0;
      j.status = status;
    });
  }

  function createPod(job, index) {
    const t = structuredClone(job.spec.template);
    const prefix = index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`;
    const metadata = {
      name: `${prefix}${randomSuffix()}`,
      generateName: prefix,
      namespace: job.metadata.namespace,
      labels: { ...t.metadata?.labels },
      annotations: { ...t.metadata?.annotations },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
    };
    const spec = t.spec;
    if (index !== undefined) {
      metadata.annotations[INDEX_KEY] = String(index);
      metadata.labels[INDEX_KEY] = String(index);
      spec.hostname ||= `${job.metadata.name}-${index}`;
      for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
        if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
        c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${INDEX_KEY}']` } } }];
      }
    }
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
    const pod = store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata, spec, status: { phase: 'Pending', qosClass: 'BestEffort' } });
    recordEvent(store, job, { reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name}`, component: 'job-controller' });
  }

  function scheduleTtl(job) {
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl == null) return;
    const at = (job.status?.conditions ?? []).find((c) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True')?.lastTransitionTime;
    const { namespace, name, uid } = job.metadata;
    schedule(`ttl/${uid}`, Date.parse(at ?? now()) + ttl * 1000, () => {
      const live = store.get({ ...JOBS, namespace, name });
      if (live?.metadata.uid === uid) deleteWithDependents({ ...JOBS, namespace, name });
    });
  }

  return {
    onChange,
    close() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

/** @param {any} job */
function finished(job) {
  return (job.status?.conditions ?? []).some((c) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True');
}

function indexOf(pod) {
  const v = pod.metadata.annotations?.[INDEX_KEY];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : -1;
}

function condition(job, type, reason, message) {
  const at = now();
  return { type, status: 'True', lastProbeTime: at, lastTransitionTime: at, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** `completedIndexes` as the controller writes it: sorted intervals, `1,3-5,7`. @param {Set<number>} set */
function compress(set) {
  const xs = [...set].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < xs.length; i++) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : String(xs[i]));
    i = j;
  }
  return out.join(',');
}

function randomSuffix() {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}
