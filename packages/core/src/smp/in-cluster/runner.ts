import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { DEFAULTS } from '../../defaults.js';
import { MeshspecError } from '../../errors.js';
import { describeError, type KubeClient } from '../../kube/client.js';
import type { Logger } from '../../log.js';
import { sleep } from '../../wait.js';
import type { LoadGenerator, LoadPlan, LoadRun } from '../loadgen/types.js';
import { emptyRun } from '../repeats.js';
import { configMapManifest, jobManifest, keepsPerIndexLimit, LOAD_CONTAINER, loadObjectName, resumeJobPatch, RUN_LABEL } from './job.js';
import type { LoadPod, LoadSource } from './load-source.js';
import { mergePodReports } from './merge.js';
import { asPodReport, type PodReport } from './pod-report.js';
import { describeEvents, judgePod, loadContainerStatus, podIndex } from './pod-status.js';
import { parseResultLine } from './result-line.js';
import type { WorkerPlan } from './shares.js';
import type { WorkerEnvPlan } from './worker.js';
import { readWorkerBundle } from './worker-bundle.js';

/**
 * Load from inside the cluster: one Indexed Job per run (job.ts), each pod running the native
 * generator on its exact share (shares.ts, worker.ts), the pods' result lines merged exactly
 * (merge.ts). It is a LoadGenerator, so the warm-up, the repeats and everything else that takes
 * one works with pods unchanged.
 */
export interface PodLoadOptions {
  kube: KubeClient;
  namespace: string;
  pods: number;
  image: string;
  podLabels?: Record<string, string>;
  podAnnotations?: Record<string, string>;
  logger: Logger;
  /** How far ahead of the Job's creation the common start time is set (default DEFAULTS.loadStartLeadMs). */
  startLeadMs?: number;
  /** A load container not running this long after the start time never started (default 120 s). */
  pendingTimeoutMs?: number;
  /** How often the pods are read (default 500 ms). */
  pollIntervalMs?: number;
}

const DEFAULT_PENDING_TIMEOUT_MS = 120_000;
/** After the window and the generator's grace (at most 2 s), the time pods get to print and exit. */
const FINISH_MARGIN_MS = 60_000;
const GRACE_MAX_MS = 2_000;
/** A pod starting later than this against the common start is named in a warning. */
const LATE_START_WARN_MS = 1_000;

/** A load pod failed: exit 3, naming the pods and their last events; `partial` holds the merged result of the pods that finished. */
export class PodLoadError extends MeshspecError {
  constructor(
    message: string,
    readonly partial: LoadRun | undefined,
    readonly source: LoadSource,
    details: string[],
  ) {
    super('infra', message, { details });
    this.name = 'PodLoadError';
  }
}

interface Tracked {
  index: number;
  name: string | null;
  node: string | null;
  imageId: string | null;
  state: 'waiting' | 'succeeded' | 'failed' | 'never-started';
  report?: PodReport;
  why?: string;
}

export function podLoadGenerator(options: PodLoadOptions): LoadGenerator & { lastSource(): LoadSource | undefined } {
  let last: LoadSource | undefined;
  return {
    id: 'native',
    async run(plan: LoadPlan): Promise<LoadRun> {
      try {
        const { run, source } = await runLoadJob(options, plan);
        last = source;
        return run;
      } catch (error) {
        if (error instanceof PodLoadError) last = error.source;
        throw error;
      }
    },
    lastSource: () => last,
  };
}

async function runLoadJob(options: PodLoadOptions, plan: LoadPlan): Promise<{ run: LoadRun; source: LoadSource }> {
  const { kube, namespace, pods, logger } = options;
  const signal = plan.signal;
  const runId = randomBytes(4).toString('hex');
  const name = loadObjectName(runId);
  const bundle = readWorkerBundle();
  const workerPlan: WorkerPlan = { clients: plan.clients, durationMs: plan.durationMs, requestTimeoutMs: plan.requestTimeoutMs, insecureTls: plan.insecureTls };
  const envPlan: WorkerEnvPlan = { pods, plan: workerPlan };
  const planJson = JSON.stringify(envPlan);
  const lead = options.startLeadMs ?? DEFAULTS.loadStartLeadMs;
  const tracked: Tracked[] = Array.from({ length: pods }, (_, index) => ({ index, name: null, node: null, imageId: null, state: 'waiting' }));
  let cancelled = false;
  try {
    await kube.apply(configMapManifest({ runId, namespace, planJson }, bundle.text));
    const startAtMs = Date.now() + lead;
    const activeDeadlineSeconds = Math.ceil((lead + plan.durationMs + GRACE_MAX_MS + FINISH_MARGIN_MS) / 1000);
    const job = await kube.create(jobManifest({ runId, namespace, pods, image: options.image, planJson, startAtMs, activeDeadlineSeconds, podLabels: options.podLabels, podAnnotations: options.podAnnotations }));
    // Created suspended: its failure limits are settled before any pod exists (job.ts, jobManifest).
    const perIndex = keepsPerIndexLimit(job);
    await kube.mergePatch({ apiVersion: 'batch/v1', kind: 'Job', name, namespace }, resumeJobPatch(pods, perIndex));
    if (!perIndex && pods > 1) {
      logger.info(
        `the cluster dropped the load Job's backoffLimitPerIndex (Kubernetes before 1.29, or its JobBackoffLimitPerIndex feature gate is off): ` +
          'if one load pod fails, Kubernetes fails the Job and stops the other pods, and their results are lost (a cluster of 1.29 or later lets them finish)',
      );
    }
    // The ConfigMap now belongs to the Job: if this process dies, Kubernetes' garbage collector
    // removes it with the Job (after ttlSecondsAfterFinished at the latest).
    const uid = job.metadata?.uid;
    if (uid) await kube.apply(configMapManifest({ runId, namespace, planJson }, bundle.text, { apiVersion: 'batch/v1', kind: 'Job', name, uid }));
    logger.info(`load Job ${namespace}/${name}: ${pods} pod${pods === 1 ? '' : 's'} of ${options.image}, starting together at ${new Date(startAtMs).toISOString()} (worker ${(bundle.text.length / 1024).toFixed(0)} KiB)`);
    cancelled = await watchPods(options, tracked, { runId, startAtMs, deadlineMs: startAtMs + plan.durationMs + GRACE_MAX_MS + FINISH_MARGIN_MS, signal, perIndex });
  } finally {
    await cleanup(kube, namespace, name, logger);
  }
  const reports = tracked.flatMap((t) => (t.report ? [t.report] : []));
  const source = sourceOf(tracked, cancelled);
  for (const r of reports) {
    if (Math.abs(r.clock_offset_ms) > LATE_START_WARN_MS) logger.warn(`load pod ${tracked[r.index]!.name} started ${(r.clock_offset_ms / 1000).toFixed(1)} s after the common start time: its load overlapped the others' only in part (raise the start lead, --load-start-lead or load_start_lead, when the image must be pulled first)`);
  }
  const run = reports.length ? mergePodReports(reports) : undefined;
  const failed = tracked.filter((t) => t.state === 'failed' || t.state === 'never-started');
  if (failed.length && !cancelled) {
    const finished = pods - failed.length;
    throw new PodLoadError(
      `${failed.length} of ${pods} load pod${pods === 1 ? '' : 's'} in ${namespace} failed (${failed.map((t) => t.name ?? `index ${t.index}`).join(', ')}); ` +
        (finished ? `the result holds the ${finished} that finished, marked partial` : 'no pod finished, so there is no result'),
      run,
      source,
      failed.map((t) => `${t.name ?? `pod index ${t.index}`}: ${t.why}`),
    );
  }
  if (cancelled) {
    const out = run ?? emptyRun(plan);
    out.cancelled = true;
    return { run: out, source };
  }
  return { run: run!, source };
}

/** Reads the pods until each has finished, failed or never started; true when cancelled. */
async function watchPods(
  options: PodLoadOptions,
  tracked: Tracked[],
  at: { runId: string; startAtMs: number; deadlineMs: number; signal?: AbortSignal; perIndex: boolean },
): Promise<boolean> {
  const { kube, namespace, logger } = options;
  const pendingLimitMs = at.startAtMs + (options.pendingTimeoutMs ?? DEFAULT_PENDING_TIMEOUT_MS);
  const poll = options.pollIntervalMs ?? 500;
  let lastError: string | undefined;
  for (;;) {
    if (at.signal?.aborted) return true;
    let pods: V1Pod[] | undefined;
    try {
      pods = await kube.listPods(namespace, `${RUN_LABEL}=${at.runId}`);
      lastError = undefined;
    } catch (error) {
      // One failed read is not a failed run: the next poll tries again, up to the deadline.
      lastError = describeError(error).message;
    }
    const now = Date.now();
    for (const pod of pods ?? []) {
      const index = podIndex(pod);
      const t = index === undefined ? undefined : tracked[index];
      if (!t || t.state !== 'waiting') continue;
      t.name = pod.metadata?.name ?? t.name;
      t.node = pod.spec?.nodeName ?? t.node;
      t.imageId = loadContainerStatus(pod)?.imageID || t.imageId;
      const verdict = judgePod(pod, now, pendingLimitMs);
      if (verdict.kind === 'succeeded') await collect(kube, namespace, t);
      else if (verdict.kind === 'failed' || verdict.kind === 'never-started') {
        t.state = verdict.kind;
        t.why = `${verdict.why}; ${await lastWords(kube, namespace, t.name!, verdict.kind === 'failed')}`;
        logger.warn(`load pod ${t.name}: ${t.why}`);
      }
    }
    if (pods) {
      // After the listed pods (a failure among them explains a disappearance): a pod seen before
      // and now gone was deleted (or evicted and removed) before its load finished.
      const present = new Set(pods.map((p) => p.metadata?.name));
      for (const t of tracked) {
        if (t.state === 'waiting' && t.name !== null && !present.has(t.name)) {
          t.state = 'failed';
          // Without backoffLimitPerIndex the Job fails at its first failed pod (backoffLimit 0), and
          // the Job controller then deletes the others (kubernetes pkg/controller/job/job_controller.go): say so.
          const after = at.perIndex ? undefined : tracked.find((x) => x !== t && x.state === 'failed' && x.why && !x.why.startsWith('the pod disappeared'));
          t.why = `the pod disappeared before its load container finished (${after ? `the Job controller stops the other pods once ${after.name ?? `index ${after.index}`} failed: backoffLimit 0` : 'deleted or evicted'}); last events: ${await eventsLine(kube, namespace, t.name)}`;
          logger.warn(`load pod ${t.name}: ${t.why}`);
        }
      }
    }
    if (pods && now > pendingLimitMs) {
      for (const t of tracked) {
        if (t.state === 'waiting' && t.name === null) {
          t.state = 'never-started';
          t.why = `no pod was created for index ${t.index}; the Job's events: ${await eventsLine(kube, namespace, loadObjectName(at.runId))}`;
        }
      }
    }
    if (tracked.every((t) => t.state !== 'waiting')) return false;
    if (now > at.deadlineMs) {
      for (const t of tracked.filter((x) => x.state === 'waiting')) {
        t.state = 'failed';
        t.why = `its load did not finish by ${new Date(at.deadlineMs).toISOString()}${lastError ? ` (last API error: ${lastError})` : ''}${t.why ? ` (${t.why})` : ''}; ${t.name ? await lastWords(kube, namespace, t.name, true) : 'no pod'}`;
      }
      return false;
    }
    try {
      await sleep(poll, at.signal);
    } catch {
      return true;
    }
  }
}

/**
 * Reads a finished pod's whole log (before anything deletes the pod) and its result line. A log
 * that cannot be read now (an API error) is read again at the next poll; a log without a valid
 * result line fails the pod.
 */
async function collect(kube: KubeClient, namespace: string, t: Tracked): Promise<void> {
  let log: string;
  try {
    log = await kube.podLog(namespace, t.name!, LOAD_CONTAINER);
  } catch (error) {
    t.why = `its log could not be read: ${describeError(error).message}`;
    return;
  }
  try {
    const report = asPodReport(parseResultLine(log));
    if (report.counters.cancelled) {
      // Only we may stop a load early (cancel); a pod that says it was stopped got SIGTERM from
      // someone else (deleted, evicted, its node drained): its window is not the others'.
      t.state = 'failed';
      t.why = `its load was stopped ${report.counters.durationS.toFixed(1)} s into the window (SIGTERM: the pod was deleted or evicted); its figures are left out`;
      return;
    }
    t.report = report;
    t.state = 'succeeded';
  } catch (error) {
    t.state = 'failed';
    t.why = `its result line is unusable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The pod's last events and, when it ran, the end of its log: what a user needs to see why. */
async function lastWords(kube: KubeClient, namespace: string, pod: string, withLog: boolean): Promise<string> {
  let tail = '';
  if (withLog) {
    try {
      const lines = (await kube.podLog(namespace, pod, LOAD_CONTAINER)).trimEnd().split('\n').filter((l) => l !== '' && !l.startsWith('MESHSPEC-RESULT'));
      if (lines.length) tail = `; its log ends: ${lines.slice(-3).join(' | ').slice(0, 600)}`;
    } catch {
      // a pod that never ran has no log
    }
  }
  return `last events: ${await eventsLine(kube, namespace, pod)}${tail}`;
}

async function eventsLine(kube: KubeClient, namespace: string, name: string): Promise<string> {
  try {
    return describeEvents(await kube.eventsFor(namespace, name));
  } catch (error) {
    return `(events could not be read: ${describeError(error).message})`;
  }
}

/** Deletes the Job (with its pods: propagationPolicy Background) and the ConfigMap; warns, never throws. */
async function cleanup(kube: KubeClient, namespace: string, name: string, logger: Logger): Promise<void> {
  for (const ref of [
    { apiVersion: 'batch/v1', kind: 'Job', name, namespace },
    { apiVersion: 'v1', kind: 'ConfigMap', name, namespace },
  ]) {
    try {
      await kube.delete(ref);
    } catch (error) {
      logger.warn(`could not delete ${ref.kind} ${namespace}/${name}: ${describeError(error).message}; Kubernetes deletes it ${ref.kind === 'Job' ? 'after ttlSecondsAfterFinished' : 'with the Job'}, or run kubectl delete -n ${namespace} ${ref.kind.toLowerCase()} ${name}`);
    }
  }
}

function sourceOf(tracked: readonly Tracked[], cancelled: boolean): LoadSource {
  const pods: LoadPod[] = tracked.map((t) => ({
    name: t.name ?? `(index ${t.index}: no pod)`,
    index: t.index,
    node: t.node ?? t.report?.node ?? null,
    image_id: t.imageId,
    start_offset_ms: t.report ? Math.round(t.report.clock_offset_ms) : null,
    outcome: t.state === 'waiting' ? (cancelled ? 'cancelled' : 'failed') : t.state,
  }));
  const distinct = (xs: Array<string | null>) => [...new Set(xs.filter((x): x is string => !!x))].sort();
  return { kind: 'pods', pods, nodes: distinct(pods.map((p) => p.node)), images: distinct(pods.map((p) => p.image_id)) };
}
