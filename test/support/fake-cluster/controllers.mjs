// Small controllers that react to store changes (never to timers):
// - CRDs: NamesAccepted/Established status, a local APIService per served group version; deleting a CRD deletes its objects;
// - namespaces: a `default` ServiceAccount; a deleted namespace is Terminating while its objects go and its pods stop;
// - deployments: one Pod per replica (no ReplicaSets; pods are owned by the Deployment), rolling template changes, status;
// - pods: scheduled to `fake-node`, started through the pod runtime, Running and Ready once it has started;
// - services: an Endpoints object with the ready pods the selector picks;
// - jobs: see job-controller.mjs (Job controller, TTL after finished);
// - garbage collection by ownerReferences (gc.mjs).
import { createHash } from 'node:crypto';
import { establishedStatus, isEstablished } from './crds.mjs';
import { defaultPodSpec } from './builtins.mjs';
import { canonical, now } from './store.mjs';
import { NODE_NAME } from './node.mjs';
import { dependentsOf, deleteForeground } from './gc.mjs';
import { createJobController } from './job-controller.mjs';
import { createProcessPods, isProcessPod } from './process-pods.mjs';

export { NODE_NAME } from './node.mjs';

/**
 * @typedef {{ start(pod: any): Promise<{ port: number, host: string }>, stop(pod: any): Promise<void>, logs(pod: any): string,
 *   pullError?: (image: string) => Error | undefined, sidecarFor?: (pod: any) => { name: string, image: string } | undefined }} PodRuntime
 *   Pods of an official Node image with a `node` command run as processes instead (process-pods.mjs); the
 *   optional hooks tell that runtime which images cannot be pulled and which pods get a sidecar.
 */

const CRDS = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' };
const APISERVICES = { group: 'apiregistration.k8s.io', resource: 'apiservices' };
const PODS = { group: '', resource: 'pods' };

/**
 * @param {{ store: import('./store.mjs').Store, podRuntime: PodRuntime, onError?: (err: unknown) => void }} o
 */
export function startControllers({ store, podRuntime, onError = (err) => console.error('[fake-cluster]', err) }) {
  /** @type {Map<string, () => unknown>} */
  const queue = new Map();
  /** @type {Set<Promise<unknown>>} */
  const pending = new Set();
  /** @type {Map<string, Promise<{ host: string, port: number } | undefined>>} pod uid -> runtime endpoint */
  const runtimes = new Map();
  /** @type {Map<string, { host: string, port: number }>} */
  const endpoints = new Map();
  /** @type {Map<string, Promise<void>>} pod uid -> its runtime stopping */
  const stops = new Map();
  let scheduled = false;
  let closed = false;
  let ipCounter = 0;

  const track = (p) => {
    const q = Promise.resolve(p).catch(onError).finally(() => pending.delete(q));
    pending.add(q);
    return q;
  };

  const flush = () => {
    scheduled = false;
    const jobs = [...queue.values()];
    queue.clear();
    for (const job of jobs) {
      if (closed) return;
      try {
        const r = job();
        if (r && typeof (/** @type {any} */ (r).then) === 'function') track(r);
      } catch (err) {
        onError(err);
      }
    }
  };

  const enqueue = (key, job) => {
    if (closed) return;
    queue.set(key, job);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const processPods = createProcessPods({ store, hooks: podRuntime, onError });
  const jobs = createJobController({ store, enqueue, deleteWithDependents: (ref) => deleteForeground(store, ref) });

  const onChange = (/** @type {import('./store.mjs').ChangeEvent} */ ev) => {
    const { type, group, resource, namespace, name, object } = ev;
    if (type === 'DELETED') enqueue(`gc/${object.metadata.uid}`, () => collectGarbage(object.metadata.uid));
    jobs.onChange(ev);
    switch (`${group}/${resource}`) {
      case 'apiextensions.k8s.io/customresourcedefinitions':
        if (type === 'DELETED') enqueue(`crd-delete/${name}`, () => crdDeleted(object));
        else enqueue(`crd/${name}`, () => establish(name)); // a no-op once the status is current
        break;
      case '/namespaces':
        if (type === 'ADDED') enqueue(`ns/${name}`, () => ensureDefaultServiceAccount(name));
        if (type !== 'DELETED' && object.metadata.deletionTimestamp) enqueue(`ns-delete/${name}`, () => finalizeNamespace(name));
        break;
      case 'apps/deployments':
        if (type !== 'DELETED') enqueue(`deploy/${namespace}/${name}`, () => reconcileDeployment(namespace, name));
        break;
      case '/pods': {
        const owner = (object.metadata.ownerReferences ?? []).find((o) => o.kind === 'Deployment' && o.controller);
        if (owner) enqueue(`deploy/${namespace}/${owner.name}`, () => reconcileDeployment(namespace, owner.name));
        enqueue(`endpoints/${namespace}`, () => reconcileEndpoints(namespace));
        if (type === 'ADDED') enqueue(`pod/${object.metadata.uid}`, () => startPod(object));
        if (type === 'DELETED') {
          const stopping = stopPod(object);
          stops.set(object.metadata.uid, stopping);
          track(stopping.finally(() => stops.delete(object.metadata.uid)));
        }
        break;
      }
      case '/services':
        enqueue(`endpoints/${namespace}`, () => reconcileEndpoints(namespace));
        if (type === 'DELETED') store.delete({ group: '', resource: 'endpoints', namespace, name });
        break;
      default:
    }
  };
  store.on('change', onChange);

  // --- CRDs ---------------------------------------------------------------------------------------------------
  function establish(name) {
    const crd = store.mutate({ ...CRDS, name }, (c) => {
      if (c.metadata.deletionTimestamp) return false;
      c.status = establishedStatus(c);
    });
    if (crd) syncLocalApiServices(crd.spec.group);
  }

  function crdDeleted(crd) {
    const { group } = crd.spec;
    for (const o of store.list({ group, resource: crd.spec.names.plural })) {
      store.delete({ group, resource: crd.spec.names.plural, namespace: o.metadata.namespace, name: o.metadata.name });
    }
    syncLocalApiServices(group);
  }

  /** One local APIService per group version the group's established CRDs serve, as kube-apiserver keeps them. */
  function syncLocalApiServices(group) {
    const served = new Set(
      store
        .list(CRDS)
        .filter((c) => c.spec.group === group && isEstablished(c))
        .flatMap((c) => c.spec.versions.filter((v) => v.served).map((v) => v.name)),
    );
    for (const version of served) {
      if (!store.get({ ...APISERVICES, name: `${version}.${group}` })) store.create(APISERVICES, localApiService(group, version));
    }
    for (const as of store.list(APISERVICES)) {
      if (as.spec.group === group && !as.spec.service && !served.has(as.spec.version)) store.delete({ ...APISERVICES, name: as.metadata.name });
    }
  }

  // --- namespaces ---------------------------------------------------------------------------------------------
  function ensureDefaultServiceAccount(ns) {
    const live = store.get({ group: '', resource: 'namespaces', name: ns });
    if (!live || live.metadata.deletionTimestamp) return;
    if (store.get({ group: '', resource: 'serviceaccounts', namespace: ns, name: 'default' })) return;
    store.create({ group: '', resource: 'serviceaccounts' }, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
  }

  /** Deletes everything in the namespace, waits for its pods to stop (as the namespace controller does), then the namespace. */
  async function finalizeNamespace(ns) {
    const podUids = [];
    for (const { group, resource, object } of store.all()) {
      if (object.metadata.namespace !== ns) continue;
      store.delete({ group, resource, namespace: ns, name: object.metadata.name });
      if (group === '' && resource === 'pods') podUids.push(object.metadata.uid);
    }
    await Promise.allSettled(podUids.map((uid) => stops.get(uid)).filter(Boolean));
    const live = store.get({ group: '', resource: 'namespaces', name: ns });
    if (live?.metadata.deletionTimestamp) store.delete({ group: '', resource: 'namespaces', name: ns });
  }

  // --- garbage collection -------------------------------------------------------------------------------------
  function collectGarbage(uid) {
    for (const { group, resource, object } of dependentsOf(store, uid)) {
      store.delete({ group, resource, namespace: object.metadata.namespace, name: object.metadata.name });
    }
  }

  // --- deployments --------------------------------------------------------------------------------------------
  function reconcileDeployment(namespace, name) {
    const dep = store.get({ group: 'apps', resource: 'deployments', namespace, name });
    if (!dep || dep.metadata.deletionTimestamp) return;
    const hash = templateHash(dep.spec.template);
    const owned = () => store.list({ ...PODS, namespace }).filter((p) => (p.metadata.ownerReferences ?? []).some((o) => o.uid === dep.metadata.uid));
    const desired = dep.spec.replicas ?? 1;
    let pods = owned();
    const current = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    const previous = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash);
    for (let i = current.length; i < desired; i++) store.create(PODS, podFor(dep, hash));
    const extra = current.length - desired;
    if (extra > 0) {
      const byPreference = [...current].sort((a, b) => Number(isReady(a)) - Number(isReady(b)) || (a.metadata.creationTimestamp < b.metadata.creationTimestamp ? 1 : -1));
      for (const p of byPreference.slice(0, extra)) store.delete({ ...PODS, namespace, name: p.metadata.name });
    }
    const readyNew = owned().filter((p) => p.metadata.labels?.['pod-template-hash'] === hash && isReady(p)).length;
    if (previous.length > 0 && (dep.spec.strategy?.type === 'Recreate' || readyNew >= desired)) {
      for (const p of previous) store.delete({ ...PODS, namespace, name: p.metadata.name });
    }
    pods = owned();
    const updated = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    const ready = pods.filter(isReady).length;
    const rsName = `${name}-${hash}`;
    store.mutate({ group: 'apps', resource: 'deployments', namespace, name }, (d) => {
      const old = d.status ?? {};
      const complete = updated.length === desired && pods.length === desired && ready >= desired;
      /** @type {Record<string, any>} */
      const status = { observedGeneration: d.metadata.generation };
      if (pods.length) status.replicas = pods.length;
      if (updated.length) status.updatedReplicas = updated.length;
      if (ready) status.readyReplicas = ready;
      if (ready) status.availableReplicas = ready;
      if (desired - ready > 0) status.unavailableReplicas = desired - ready;
      status.conditions = [
        condition(old, 'Available', ready >= desired ? 'True' : 'False', ready >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          ready >= desired ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
        condition(old, 'Progressing', 'True', complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          complete ? `ReplicaSet "${rsName}" has successfully progressed.` : `ReplicaSet "${rsName}" is progressing.`),
      ];
      d.status = status;
    });
  }

  function podFor(dep, hash) {
    const t = structuredClone(dep.spec.template ?? {});
    const spec = t.spec ?? {};
    defaultPodSpec(spec);
    spec.nodeName = NODE_NAME;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${dep.metadata.name}-${hash}-${randomSuffix()}`,
        generateName: `${dep.metadata.name}-${hash}-`,
        namespace: dep.metadata.namespace,
        labels: { ...t.metadata?.labels, 'pod-template-hash': hash },
        ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name, uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    };
  }

  // --- pods ---------------------------------------------------------------------------------------------------
  async function startPod(pod) {
    const ref = { ...PODS, namespace: pod.metadata.namespace, name: pod.metadata.name };
    const uid = pod.metadata.uid;
    const sameUid = (p) => p.metadata.uid === uid;
    const scheduledPod = store.mutate(ref, (p) => {
      if (!sameUid(p) || runtimes.has(uid)) return false;
      p.spec.nodeName ??= NODE_NAME;
      // An injector's webhook adds its sidecar to every pod it injects, a Deployment's as much as a
      // Job's (process pods add theirs in process-pods.mjs): a client that looks for the sidecar in
      // the pod (the mesh overhead comparison does) must find it here too.
      const sidecar = isProcessPod(p) ? undefined : podRuntime.sidecarFor?.(p);
      if (sidecar && !(p.spec.containers ?? []).some((c) => c.name === sidecar.name)) {
        p.spec.containers.push({ name: sidecar.name, image: sidecar.image, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
      }
      p.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() }],
        hostIP: '127.0.0.1',
        hostIPs: [{ ip: '127.0.0.1' }],
        qosClass: 'BestEffort',
        containerStatuses: containerStatuses(p, { waiting: { reason: 'ContainerCreating' } }, false),
      };
    });
    if (!scheduledPod || !sameUid(scheduledPod) || runtimes.has(uid)) return;
    if (isProcessPod(scheduledPod)) {
      runtimes.set(uid, Promise.resolve(undefined));
      processPods.start(scheduledPod, nextPodIP());
      return;
    }
    /** @type {Promise<{ host: string, port: number } | undefined>} */
    const started = Promise.resolve()
      .then(() => podRuntime.start(scheduledPod))
      .then(
        (ep) => ep,
        (err) => {
          store.mutate(ref, (p) => {
            if (!sameUid(p)) return false;
            p.status.phase = /** @type {any} */ (err)?.reason === 'ImagePullBackOff' ? 'Pending' : 'Running';
            p.status.conditions = podConditions(p, false);
            const message = String(/** @type {Error} */ (err)?.message ?? err);
            // A runtime may say why (`reason`: ImagePullBackOff for an image that cannot be pulled).
            const reason = /** @type {any} */ (err)?.reason ?? 'CrashLoopBackOff';
            p.status.containerStatuses = containerStatuses(p, { waiting: { reason, message } }, false);
          });
          return undefined;
        },
      );
    runtimes.set(uid, started);
    const ep = await started;
    if (!ep) return;
    if (closed || !store.get(ref) || !sameUid(store.get(ref))) return; // stopPod takes care of it
    endpoints.set(uid, ep);
    const ip = nextPodIP();
    store.mutate(ref, (p) => {
      if (!sameUid(p)) return false;
      const at = now();
      p.status = {
        ...p.status,
        phase: 'Running',
        conditions: podConditions(p, true),
        podIP: ip,
        podIPs: [{ ip }],
        startTime: p.status?.startTime ?? at,
        containerStatuses: containerStatuses(p, { running: { startedAt: at } }, true),
      };
    });
  }

  async function stopPod(pod) {
    const uid = pod.metadata.uid;
    const started = runtimes.get(uid);
    if (!started) return;
    runtimes.delete(uid);
    endpoints.delete(uid);
    if (processPods.has(pod)) return processPods.stop(pod);
    const ep = await started;
    if (ep) await podRuntime.stop(pod);
  }

  function nextPodIP() {
    ipCounter++;
    return `127.0.${1 + Math.floor(ipCounter / 250)}.${1 + (ipCounter % 250)}`;
  }

  // --- services -----------------------------------------------------------------------------------------------
  function reconcileEndpoints(namespace) {
    const pods = store.list({ ...PODS, namespace });
    for (const svc of store.list({ group: '', resource: 'services', namespace })) {
      const selector = svc.spec?.selector;
      if (!selector || Object.keys(selector).length === 0 || svc.spec.type === 'ExternalName') continue;
      const picked = pods.filter((p) => p.status?.podIP && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
      const address = (p) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName ?? NODE_NAME, targetRef: { kind: 'Pod', namespace, name: p.metadata.name, uid: p.metadata.uid } });
      const ready = picked.filter(isReady).map(address);
      const notReady = picked.filter((p) => !isReady(p)).map(address);
      const ports = (svc.spec.ports ?? [])
        .map((sp) => ({ ...(sp.name ? { name: sp.name } : {}), port: resolveTargetPort(sp.targetPort ?? sp.port, picked), protocol: sp.protocol ?? 'TCP' }))
        .filter((p) => p.port !== undefined);
      const subsets = ready.length || notReady.length
        ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }]
        : undefined;
      const ref = { group: '', resource: 'endpoints', namespace, name: svc.metadata.name };
      const existing = store.get(ref);
      const labels = svc.metadata.labels;
      if (!existing) {
        store.create(ref, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace, ...(labels ? { labels } : {}) }, ...(subsets ? { subsets } : {}) });
      } else {
        store.mutate(ref, (e) => {
          if (subsets) e.subsets = subsets;
          else delete e.subsets;
        });
      }
    }
  }

  function resolveTargetPort(target, pods) {
    if (typeof target === 'number') return target;
    if (/^\d+$/.test(String(target))) return Number(target);
    for (const p of pods) {
      for (const c of p.spec.containers ?? []) {
        const port = (c.ports ?? []).find((x) => x.name === target);
        if (port) return port.containerPort;
      }
    }
    return undefined;
  }

  return {
    /** The runtime endpoint of a started pod, by uid. @param {any} pod */
    podEndpoint(pod) {
      return endpoints.get(pod.metadata.uid);
    },
    /** The CRI log of a process pod's container, or undefined for pods of the other runtimes. @param {any} pod @param {string} container */
    processLog(pod, container) {
      return processPods.has(pod) ? processPods.log(pod, container) : undefined;
    },
    /** Resolves once no reconcile is queued and no pod start is in flight. */
    async idle() {
      while (queue.size > 0 || scheduled || pending.size > 0) {
        await new Promise((r) => setImmediate(r));
        await Promise.all([...pending]);
      }
    },
    async close() {
      closed = true;
      store.off('change', onChange);
      jobs.close();
      queue.clear();
      await Promise.allSettled([...pending]);
      const stops = [];
      for (const pod of store.list(PODS)) {
        const started = runtimes.get(pod.metadata.uid);
        if (started) stops.push(started.then((ep) => (ep ? podRuntime.stop(pod) : undefined)));
      }
      runtimes.clear();
      endpoints.clear();
      stops.push(processPods.closeAll());
      await Promise.allSettled(stops);
    },
  };
}

/** An APIService that kube-apiserver serves itself (built-in groups and CRD groups). */
export function localApiService(group, version) {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${version}.${group}`, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'true' } },
    spec: { group, version, groupPriorityMinimum: 1000, versionPriority: 100 },
    status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: now(), reason: 'Local', message: 'Local APIServices are always available' }] },
  };
}

export function isReady(pod) {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function condition(oldStatus, type, status, reason, message) {
  const prev = (oldStatus.conditions ?? []).find((c) => c.type === type);
  const at = now();
  return {
    type,
    status,
    lastUpdateTime: prev && prev.status === status && prev.reason === reason ? prev.lastUpdateTime : at,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : at,
    reason,
    message,
  };
}

function podConditions(pod, ready) {
  const at = now();
  const prev = (type) => (pod.status?.conditions ?? []).find((c) => c.type === type);
  const c = (type, ok) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: prev(type)?.status === (ok ? 'True' : 'False') ? prev(type).lastTransitionTime : at,
  });
  return [c('PodReadyToStartContainers', true), c('Initialized', true), c('Ready', ready), c('ContainersReady', ready), c('PodScheduled', true)];
}

function containerStatuses(pod, state, ready) {
  return (pod.spec.containers ?? []).map((c) => ({
    name: c.name,
    state,
    lastState: {},
    ready,
    restartCount: 0,
    image: c.image,
    imageID: ready ? `docker-pullable://${c.image}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}` : '',
    ...(ready ? { containerID: `containerd://${createHash('sha256').update(`${pod.metadata.uid}/${c.name}`).digest('hex')}` } : {}),
    started: ready,
  }));
}

function templateHash(template) {
  const n = createHash('sha256').update(canonical(template ?? {})).digest().readUInt32BE(0);
  return safeEncode(n, 10);
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function safeEncode(n, len) {
  let s = '';
  let x = n;
  for (let i = 0; i < len; i++) {
    s += ALPHANUMS[x % ALPHANUMS.length];
    x = Math.floor(x / ALPHANUMS.length) || n + i;
  }
  return s;
}

function randomSuffix() {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}
