// Pods whose containers run as local processes: what kubelet and containerd do for a pod of an official Node
// image whose command is `node` (the load Jobs of issue 12 run `node /meshspec/worker.cjs` in
// `node:24-alpine@sha256:...`). Other pods keep the HTTP-server runtimes (pod-runtime.mjs, mesh/pod-runtime.mjs).
//
// - The container's command runs as a child process: the Node binary is MESHSPEC_NODE24 when set (the default load
//   image is Node 24), else this Node (process.execPath); argument arrays only, no shell. The environment is the
//   container's `env` (`value`, downward-API `fieldRef`, `configMapKeyRef`, `secretKeyRef`, with `$(VAR)` expansion
//   as kubelet expands it) plus what kubelet adds (HOSTNAME, KUBERNETES_SERVICE_*); nothing of the host leaks in.
// - `configMap` volumes are written as files (data and binaryData keys, or `items`) into a per-pod temp directory;
//   a path under a volumeMount's mountPath in command, args or workingDir is translated to that directory.
//   A missing ConfigMap keeps the pod in ContainerCreating with FailedMount events until it appears (unless optional).
// - Status as kubelet reports it: Pending (ContainerCreating) -> Running (state.running.startedAt, imageID,
//   containerID) -> terminated (exitCode; reason Completed or Error; a signal is 128 + its number, SIGKILL 137),
//   phase Succeeded or Failed for restartPolicy Never; OnFailure/Always restart the container after kubelet's
//   back-off (10 s doubling, CrashLoopBackOff meanwhile). Events: Scheduled, Pulling, Pulled, Created, Started,
//   Killing, Failed, BackOff, FailedMount.
// - An image the node cannot pull (the simulation's `unpullableImages`) stays Pending: ErrImagePull, then
//   ImagePullBackOff, with the events kubelet records.
// - A meshed pod (the simulation's `sidecarFor`) gets the injector's sidecar container: it is added to the pod's
//   spec, as the injection webhook adds it, and keeps running after the app container exits, so the pod stays
//   Running until it is deleted (non-native sidecars; see README.md).
// - Stdout and stderr become the container's CRI log file (cri-log.mjs), readable after the process exits and gone
//   with the pod. Deleting the pod sends SIGTERM, then SIGKILL after terminationGracePeriodSeconds; closing the
//   cluster does the same with a 1 s grace. Every child is killed if this process exits.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { createCriLogWriter, readCriFile } from './cri-log.mjs';
import { EGRESS_SHIM, startEgress } from './egress.mjs';
import { recordEvent } from './events.mjs';
import { NODE_NAME } from './node.mjs';
import { now } from './store.mjs';

const PODS = { group: '', resource: 'pods' };
// Official Node images: `node`, `library/node`, `docker.io/library/node` (and the registry's other names), any tag or digest.
const NODE_IMAGE = /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?(?:library\/)?node(?::([\w][\w.-]{0,127}))?(?:@sha256:([0-9a-f]{64}))?$/;
const NODE_COMMANDS = ['node', '/usr/local/bin/node'];
const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const RESTART_BACKOFF_MS = 10_000;
const RESTART_BACKOFF_MAX_MS = 300_000;

/** @type {Set<import('node:child_process').ChildProcess>} every live child of every fake cluster in this process */
const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** @param {any} c a container */
const runsNode = (c) => NODE_IMAGE.test(String(c.image ?? '')) && NODE_COMMANDS.includes(c.command?.[0]);

/** Does this pod run as processes? Any container of an official Node image whose command is `node`. @param {any} pod */
export function isProcessPod(pod) {
  return (pod.spec?.containers ?? []).some(runsNode);
}

/**
 * @param {{ store: import('./store.mjs').Store, onError: (err: unknown) => void, hooks: { pullError?: (image: string) => Error | undefined,
 *   sidecarFor?: (pod: any) => { name: string, image: string } | undefined,
 *   outboundFor?: (pod: any) => import('./mesh/sample-app.mjs').Outbound } }} deps
 */
export function createProcessPods({ store, hooks, onError }) {
  /** @type {Map<string, Entry>} pod uid -> entry */
  const entries = new Map();
  /** images this node has pulled (kubelet says "already present on machine" the next time) */
  const pulled = new Set();

  /**
   * @typedef {{ state: any, lastState: any, restartCount: number, imageID: string, containerID?: string, ready: boolean, started: boolean,
   *   child?: import('node:child_process').ChildProcess, exited?: Promise<void>, log?: ReturnType<typeof createCriLogWriter>, timer?: NodeJS.Timeout }} ContainerRun
   * @typedef {{ pod: any, dir: string, containers: Map<string, ContainerRun>, sidecar?: { name: string, image: string, startedAt: string, containerID: string },
   *   stopped: boolean, timers: Set<NodeJS.Timeout>, podIP: string,
   *   network: Promise<{ port: number, close(): Promise<void> } | undefined>, egress?: { port: number } }} Entry
   */

  const ref = (pod) => ({ ...PODS, namespace: pod.metadata.namespace, name: pod.metadata.name });
  const event = (entry, e) => {
    try {
      recordEvent(store, currentPod(entry) ?? entry.pod, { component: 'kubelet', ...e });
    } catch (err) {
      onError(err);
    }
  };
  const currentPod = (entry) => {
    const p = store.get(ref(entry.pod));
    return p?.metadata.uid === entry.pod.metadata.uid ? p : undefined;
  };
  const later = (entry, ms, fn) => {
    const t = setTimeout(() => {
      entry.timers.delete(t);
      if (!entry.stopped) fn();
    }, ms);
    entry.timers.add(t);
  };

  /** Starts a scheduled pod. @param {any} pod @param {string} podIP */
  function start(pod, podIP) {
    const uid = pod.metadata.uid;
    if (entries.has(uid)) return;
    const sidecar = hooks.sidecarFor?.(pod);
    /** @type {Entry} */
    const outbound = hooks.outboundFor?.(pod);
    const entry = {
      pod,
      dir: mkdtempSync(join(tmpdir(), 'fake-pod-')),
      containers: new Map(),
      stopped: false,
      timers: new Set(),
      podIP,
      network: outbound ? startEgress({ outbound }) : Promise.resolve(undefined),
    };
    entries.set(uid, entry);
    if (sidecar) {
      // The injector's container, in the spec as the webhook would have put it.
      store.mutate(ref(pod), (p) => {
        if (p.metadata.uid !== uid || (p.spec.containers ?? []).some((c) => c.name === sidecar.name)) return false;
        p.spec.containers.push({ name: sidecar.name, image: sidecar.image, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
      });
      entry.pod = currentPod(entry) ?? pod;
      entry.sidecar = { ...sidecar, startedAt: '', containerID: '' };
    }
    for (const c of appContainers(entry)) {
      entry.containers.set(c.name, { state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, restartCount: 0, imageID: '', ready: false, started: false });
    }
    event(entry, { reason: 'Scheduled', message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}`, component: 'default-scheduler' });
    writeStatus(entry);
    entry.network.then((egress) => {
      entry.egress = egress;
      mountAndRun(entry);
    }, onError);
  }

  /** @param {Entry} entry */
  const appContainers = (entry) => (entry.pod.spec.containers ?? []).filter((c) => c.name !== entry.sidecar?.name);

  /** @param {Entry} entry */
  function mountAndRun(entry) {
    if (entry.stopped) return;
    const missing = materializeVolumes(entry);
    if (missing) {
      event(entry, { type: 'Warning', reason: 'FailedMount', message: missing });
      later(entry, 1000, () => mountAndRun(entry));
      return;
    }
    for (const c of appContainers(entry)) pullAndStart(entry, c);
    if (entry.sidecar) {
      entry.sidecar.startedAt = now();
      entry.sidecar.containerID = `containerd://${randomBytes(32).toString('hex')}`;
      pulled.add(entry.sidecar.image);
    }
    writeStatus(entry);
  }

  /** Writes the pod's configMap volumes; returns the FailedMount message of the first missing one. @param {Entry} entry */
  function materializeVolumes(entry) {
    for (const v of entry.pod.spec.volumes ?? []) {
      const target = join(entry.dir, 'volumes', v.name);
      mkdirSync(target, { recursive: true });
      if (!v.configMap) continue; // emptyDir and others: an empty directory
      const cm = store.get({ group: '', resource: 'configmaps', namespace: entry.pod.metadata.namespace, name: v.configMap.name });
      if (!cm) {
        if (v.configMap.optional) continue;
        return `MountVolume.SetUp failed for volume "${v.name}" : configmap "${v.configMap.name}" not found`;
      }
      /** @type {Record<string, Buffer>} */
      const files = {};
      for (const [k, val] of Object.entries(cm.data ?? {})) files[k] = Buffer.from(String(val));
      for (const [k, val] of Object.entries(cm.binaryData ?? {})) files[k] = Buffer.from(String(val), 'base64');
      const items = v.configMap.items;
      if (items?.length) {
        for (const it of items) {
          if (!(it.key in files)) {
            if (v.configMap.optional) continue;
            return `MountVolume.SetUp failed for volume "${v.name}" : configmap references non-existent config key: ${it.key}`;
          }
        }
      }
      const pairs = items?.length ? items.filter((it) => it.key in files).map((it) => [it.path, files[it.key]]) : Object.entries(files);
      for (const [path, content] of pairs) {
        const file = join(target, posix.normalize(String(path)).replace(/^(\.\.\/)+/, ''));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    return undefined;
  }

  /** @param {Entry} entry @param {any} c */
  function pullAndStart(entry, c) {
    const run = /** @type {ContainerRun} */ (entry.containers.get(c.name));
    const fieldPath = `spec.containers{${c.name}}`;
    const pullErr = hooks.pullError?.(c.image);
    if (pullErr) {
      event(entry, { reason: 'Pulling', message: `Pulling image "${c.image}"`, fieldPath });
      event(entry, { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${c.image}": ${pullErr.message}`, fieldPath });
      event(entry, { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', fieldPath });
      run.state = { waiting: { reason: 'ErrImagePull', message: pullErr.message } };
      later(entry, 1000, () => {
        event(entry, { reason: 'BackOff', message: `Back-off pulling image "${c.image}"`, fieldPath });
        event(entry, { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', fieldPath });
        run.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
        writeStatus(entry);
      });
      return;
    }
    if (!runsNode(c)) {
      const message = `the fake cluster runs only containers of an official Node image whose command is node (image "${c.image}", command ${JSON.stringify(c.command ?? [])})`;
      event(entry, { type: 'Warning', reason: 'Failed', message: `Error: ${message}`, fieldPath });
      run.state = { waiting: { reason: 'CreateContainerError', message } };
      return;
    }
    if (pulled.has(c.image) && c.imagePullPolicy !== 'Always') {
      event(entry, { reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, fieldPath });
    } else {
      event(entry, { reason: 'Pulling', message: `Pulling image "${c.image}"`, fieldPath });
      event(entry, { reason: 'Pulled', message: `Successfully pulled image "${c.image}" in 1ms (1ms including waiting). Image size: 0 bytes.`, fieldPath });
      pulled.add(c.image);
    }
    run.imageID = imageIdOf(c.image);
    launch(entry, c, run);
  }

  /** @param {Entry} entry @param {any} c @param {ContainerRun} run */
  function launch(entry, c, run) {
    const egress = entry.egress;
    const fieldPath = `spec.containers{${c.name}}`;
    const pod = currentPod(entry) ?? entry.pod;
    let env;
    try {
      env = containerEnv(pod, c, entry);
    } catch (err) {
      const message = String(/** @type {Error} */ (err).message);
      event(entry, { type: 'Warning', reason: 'Failed', message: `Error: ${message}`, fieldPath });
      run.state = { waiting: { reason: 'CreateContainerConfigError', message } };
      writeStatus(entry);
      return;
    }
    if (egress) {
      env.NODE_OPTIONS = [`--require "${EGRESS_SHIM}"`, env.NODE_OPTIONS].filter(Boolean).join(' ');
      env.MESHSPEC_FAKE_EGRESS = `127.0.0.1:${egress.port}`;
    }
    const translate = pathTranslator(entry, c);
    const expand = (s) => expandVars(String(s), env);
    const args = [...c.command.slice(1), ...(c.args ?? [])].map((a) => translate(expand(a)));
    const logDir = join(entry.dir, 'logs', c.name);
    mkdirSync(logDir, { recursive: true });
    run.log = createCriLogWriter(join(logDir, `${run.restartCount}.log`));
    run.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    event(entry, { reason: 'Created', message: `Created container ${c.name}`, fieldPath });
    const child = spawn(process.env.MESHSPEC_NODE24 || process.execPath, args, {
      cwd: c.workingDir ? translate(c.workingDir) : entry.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    run.child = child;
    const log = run.log;
    child.stdout?.on('data', (chunk) => log.write('stdout', chunk));
    child.stderr?.on('data', (chunk) => log.write('stderr', chunk));
    run.exited = new Promise((resolveExit) => {
      child.once('error', (err) => {
        live.delete(child);
        run.child = undefined;
        run.state = { waiting: { reason: 'RunContainerError', message: String(err.message) } };
        event(entry, { type: 'Warning', reason: 'Failed', message: `Error: ${err.message}`, fieldPath });
        writeStatus(entry);
        resolveExit();
      });
      child.once('close', (code, signal) => {
        live.delete(child);
        run.child = undefined;
        log.end('stdout');
        log.end('stderr');
        const exitCode = code ?? 128 + (signal ? osConstants.signals[signal] ?? 9 : 9);
        const startedAt = run.state.running?.startedAt ?? now();
        run.state = { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: now(), containerID: run.containerID } };
        run.ready = false;
        run.started = false;
        resolveExit();
        if (entry.stopped) return;
        const policy = entry.pod.spec.restartPolicy ?? 'Always';
        if (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0)) {
          const delay = Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MS * 2 ** run.restartCount);
          const message = `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${entry.pod.metadata.name}_${entry.pod.metadata.namespace}(${entry.pod.metadata.uid})`;
          run.lastState = run.state;
          run.state = { waiting: { reason: 'CrashLoopBackOff', message } };
          event(entry, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', fieldPath });
          later(entry, delay, () => {
            run.restartCount++;
            launch(entry, c, run);
          });
        }
        writeStatus(entry);
      });
      child.once('spawn', () => {
        run.state = { running: { startedAt: now() } };
        run.ready = true;
        run.started = true;
        event(entry, { reason: 'Started', message: `Started container ${c.name}`, fieldPath });
        writeStatus(entry);
      });
    });
  }

  /** The pod's status from what its containers are doing. @param {Entry} entry */
  function writeStatus(entry) {
    const pod = entry.pod;
    store.mutate(ref(pod), (p) => {
      if (p.metadata.uid !== pod.metadata.uid) return false;
      const runs = appContainers(entry).map((c) => /** @type {const} */ ([c, entry.containers.get(c.name)]));
      const statuses = runs.map(([c, r]) => ({
        name: c.name,
        state: r?.state ?? { waiting: { reason: 'ContainerCreating' } },
        lastState: r?.lastState ?? {},
        ready: Boolean(r?.ready),
        restartCount: r?.restartCount ?? 0,
        image: c.image,
        imageID: r?.imageID ?? '',
        ...(r?.containerID && !r.state.waiting ? { containerID: r.containerID } : r?.containerID && r.restartCount > 0 ? { containerID: r.containerID } : {}),
        started: Boolean(r?.started),
      }));
      const side = entry.sidecar;
      if (side) {
        statuses.push({
          name: side.name,
          state: side.startedAt ? { running: { startedAt: side.startedAt } } : { waiting: { reason: 'PodInitializing' } },
          lastState: {},
          ready: Boolean(side.startedAt),
          restartCount: 0,
          image: side.image,
          imageID: side.startedAt ? imageIdOf(side.image) : '',
          ...(side.startedAt ? { containerID: side.containerID } : {}),
          started: Boolean(side.startedAt),
        });
        statuses.sort((a, b) => (a.name < b.name ? -1 : 1)); // kubelet lists them sorted by name
      }
      const states = runs.map(([, r]) => r?.state ?? {});
      const everStarted = runs.some(([, r]) => r && (r.state.running || r.state.terminated || r.restartCount > 0));
      const allTerminated = states.length > 0 && states.every((s) => s.terminated);
      const restarting = ['Always', 'OnFailure'].includes(p.spec.restartPolicy) && !allTerminated;
      let phase = 'Running';
      if (!everStarted) phase = 'Pending';
      else if (allTerminated && !side && !restarting) phase = states.every((s) => s.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
      const allReady = statuses.every((s) => s.ready);
      const done = phase === 'Succeeded' || phase === 'Failed';
      const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
      const prev = (type) => (p.status?.conditions ?? []).find((c) => c.type === type);
      const cond = (type, ok, reason, message) => ({
        type,
        status: ok ? 'True' : 'False',
        lastProbeTime: null,
        lastTransitionTime: prev(type)?.status === (ok ? 'True' : 'False') ? prev(type).lastTransitionTime : now(),
        ...(reason ? { reason } : {}),
        ...(message ? { message } : {}),
      });
      const why = done ? ['PodCompleted', undefined] : ['ContainersNotReady', `containers with unready status: [${notReady.join(' ')}]`];
      p.status = {
        phase,
        conditions: [
          cond('PodReadyToStartContainers', true),
          cond('Initialized', true, done ? 'PodCompleted' : undefined),
          allReady ? cond('Ready', true) : cond('Ready', false, ...why),
          allReady ? cond('ContainersReady', true) : cond('ContainersReady', false, ...why),
          cond('PodScheduled', true),
        ],
        hostIP: '127.0.0.1',
        hostIPs: [{ ip: '127.0.0.1' }],
        podIP: entry.podIP,
        podIPs: [{ ip: entry.podIP }],
        startTime: p.status?.startTime ?? now(),
        containerStatuses: statuses,
        qosClass: p.status?.qosClass ?? 'BestEffort',
      };
    });
  }

  /** Kills the pod's processes (SIGTERM, SIGKILL after the grace period) and removes its directory. @param {any} pod @param {number} [graceMs] */
  async function stop(pod, graceMs) {
    const entry = entries.get(pod.metadata.uid);
    if (!entry) return;
    entries.delete(pod.metadata.uid);
    entry.stopped = true;
    for (const t of entry.timers) clearTimeout(t);
    const grace = graceMs ?? (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    await Promise.all(
      [...entry.containers.entries()].map(async ([name, run]) => {
        const child = run.child;
        if (!child) return;
        event(entry, { reason: 'Killing', message: `Stopping container ${name}`, fieldPath: `spec.containers{${name}}` });
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), grace);
        await run.exited;
        clearTimeout(kill);
      }),
    );
    await (await entry.network.catch(() => undefined))?.close();
    rmSync(entry.dir, { recursive: true, force: true });
  }

  return {
    start,
    stop,
    /** @param {any} pod */
    has: (pod) => entries.has(pod.metadata.uid),
    /** The CRI log of a container of a running or finished pod (empty for the simulated sidecar). @param {any} pod @param {string} container */
    log(pod, container) {
      const run = entries.get(pod.metadata.uid)?.containers.get(container);
      return run?.log ? readCriFile(run.log.file) : Buffer.alloc(0);
    },
    /** Kills every process, 1 s after SIGTERM at the latest. */
    async closeAll() {
      await Promise.all([...entries.values()].map((e) => stop(e.pod, 1000)));
    },
  };

  /** @param {Entry} entry @param {any} c */
  function pathTranslator(entry, c) {
    const mounts = (c.volumeMounts ?? [])
      .map((m) => ({ at: posix.normalize(m.mountPath).replace(/\/$/, ''), dir: join(entry.dir, 'volumes', m.name, m.subPath ?? '') }))
      .sort((a, b) => b.at.length - a.at.length);
    return (/** @type {string} */ s) => {
      for (const m of mounts) {
        const i = s.indexOf(m.at);
        if (i < 0 || (i > 0 && s[i - 1] !== '=')) continue; // an argument that is a path, or `--flag=<path>`
        const rest = s.slice(i + m.at.length);
        if (rest === '' || rest.startsWith('/')) return s.slice(0, i) + m.dir + rest;
      }
      return s;
    };
  }

  /** The container's environment, as kubelet builds it. @param {any} pod @param {any} c @param {Entry} entry */
  function containerEnv(pod, c, entry) {
    /** @type {Record<string, string>} */
    const env = {
      PATH: CONTAINER_PATH,
      HOSTNAME: pod.spec.hostname || pod.metadata.name,
      HOME: entry.dir,
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
    };
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = expandVars(String(e.value), env);
      else if (e.valueFrom?.fieldRef) env[e.name] = fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath, entry);
      else if (e.valueFrom?.configMapKeyRef || e.valueFrom?.secretKeyRef) {
        const r = e.valueFrom.configMapKeyRef ?? e.valueFrom.secretKeyRef;
        const kind = e.valueFrom.configMapKeyRef ? 'configmap' : 'secret';
        const obj = store.get({ group: '', resource: kind === 'configmap' ? 'configmaps' : 'secrets', namespace: pod.metadata.namespace, name: r.name });
        const raw = obj?.data?.[r.key];
        if (raw === undefined) {
          if (r.optional) continue;
          throw new Error(obj ? `couldn't find key ${r.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${pod.metadata.namespace}/${r.name}` : `${kind} "${r.name}" not found`);
        }
        env[e.name] = kind === 'secret' ? Buffer.from(raw, 'base64').toString() : String(raw);
      } else env[e.name] = '';
    }
    return env;
  }
}

/** A downward-API field of the pod. */
function fieldRefValue(pod, path, entry) {
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann) return pod.metadata.annotations?.[ann[1]] ?? '';
  const lab = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (lab) return pod.metadata.labels?.[lab[1]] ?? '';
  const values = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName ?? NODE_NAME,
    'spec.serviceAccountName': pod.spec.serviceAccountName ?? 'default',
    'status.hostIP': '127.0.0.1',
    'status.hostIPs': '127.0.0.1',
    'status.podIP': entry.podIP,
    'status.podIPs': entry.podIP,
  };
  if (!(path in values)) throw new Error(`unsupported fieldRef path ${path}`);
  return values[path];
}

/** kubelet's `$(VAR)` expansion: defined variables are replaced, `$$` escapes, undefined references stay as written. */
function expandVars(s, env) {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (m === '$$' ? '$' : name in env ? env[name] : m));
}

/** `status.containerStatuses[].imageID` as containerd reports a pull: the repository and the (index) digest. @param {string} image */
function imageIdOf(image) {
  const m = NODE_IMAGE.exec(image);
  if (m) return `docker.io/library/node@sha256:${m[2] ?? createHash('sha256').update(image).digest('hex')}`;
  const [repo, digest] = image.split('@sha256:');
  const name = repo.replace(/:[^/:]+$/, '');
  const full = name.includes('/') ? (name.split('/')[0].includes('.') ? name : `docker.io/${name}`) : `docker.io/library/${name}`;
  return `${full}@sha256:${digest ?? createHash('sha256').update(image).digest('hex')}`;
}
