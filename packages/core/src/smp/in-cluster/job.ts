import type { V1ConfigMap, V1Job, V1OwnerReference } from '@kubernetes/client-node';

/**
 * The objects of one in-cluster load run (docs/architecture.md, "Load from inside the cluster"):
 * a ConfigMap holding the worker bundle, and an Indexed Job whose pods run it.
 *
 * Why each Job field (kubernetes/website content/en/docs/concepts/workloads/controllers/job.md):
 * - completionMode Indexed: each pod gets JOB_COMPLETION_INDEX, its share of the load (shares.ts);
 * - parallelism = completions = pods: all run at once, each index once;
 * - restartPolicy Never and no retries: a retried pod would add load nobody asked for;
 * - backoffLimitPerIndex 0: a failed pod's index is not retried, and the other pods run on to the
 *   end of their window, so their results are kept (with backoffLimit alone, the first failed pod
 *   fails the Job and the Job controller deletes the others mid-window);
 * - created suspended with backoffLimit 0, and resumed by resumeJobPatch() once the created Job
 *   shows whether the server kept backoffLimitPerIndex: a server without the feature (Kubernetes
 *   1.28, where it is alpha and off, or the gate turned off) drops the field on create, and then
 *   backoffLimit 0 must stay. With the field kept, backoffLimit must rise, because the Job
 *   controller fails a Job whose failed pods outnumber it whatever the per-index limit
 *   (kubernetes pkg/controller/job/job_controller.go, syncJob: `jobCtx.failed > *job.Spec.BackoffLimit`);
 * - activeDeadlineSeconds: the cluster stops the Job even if this process dies (counted from the resume);
 * - ttlSecondsAfterFinished: a second net for cleanup (the runner deletes the Job itself, after
 *   reading every pod's log: logs go with the pods).
 */

/** The ConfigMap's data key and where the volume is mounted: the pod runs `node /meshspec/worker.cjs`. */
const BUNDLE_KEY = 'worker.cjs';
/**
 * A plan larger than this travels in the ConfigMap as plan.json beside the worker, named by
 * MESHSPEC_LOAD_PLAN_FILE, instead of in MESHSPEC_LOAD_PLAN: Linux refuses an environment string
 * over 128 KiB (MAX_ARG_STRLEN) when it starts the container, and a profile with a large body or
 * many URLs can exceed it.
 */
const ENV_PLAN_LIMIT = 32 * 1024;
const PLAN_KEY = 'plan.json';
const MOUNT_PATH = '/meshspec';
export const LOAD_CONTAINER = 'load';
export const RUN_LABEL = 'meshspec.io/run';
/** The annotation Kubernetes sets on every pod of an Indexed Job (and the env it derives JOB_COMPLETION_INDEX from). */
export const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
/** Seconds a finished Job is kept before Kubernetes deletes it with its pods, if we could not. */
const TTL_AFTER_FINISHED_S = 600;

export interface LoadJobSpec {
  runId: string;
  namespace: string;
  pods: number;
  image: string;
  /** MESHSPEC_LOAD_PLAN's JSON (worker.ts WorkerEnvPlan). */
  planJson: string;
  /** The common start time, epoch ms. */
  startAtMs: number;
  /** The cluster stops the Job after this long (start lead + duration + grace + margin). */
  activeDeadlineSeconds: number;
  podLabels?: Record<string, string>;
  podAnnotations?: Record<string, string>;
}

export const loadObjectName = (runId: string) => `meshspec-load-${runId}`;

function loadLabels(runId: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'meshspec-load', 'app.kubernetes.io/managed-by': 'meshspec', [RUN_LABEL]: runId };
}

const planInFile = (planJson: string) => Buffer.byteLength(planJson) > ENV_PLAN_LIMIT;

export function configMapManifest(spec: Pick<LoadJobSpec, 'runId' | 'namespace' | 'planJson'>, bundle: string, owner?: V1OwnerReference): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: loadObjectName(spec.runId), namespace: spec.namespace, labels: loadLabels(spec.runId), ...(owner ? { ownerReferences: [owner] } : {}) },
    data: { [BUNDLE_KEY]: bundle, ...(planInFile(spec.planJson) ? { [PLAN_KEY]: spec.planJson } : {}) },
  };
}

export function jobManifest(spec: LoadJobSpec): V1Job {
  const name = loadObjectName(spec.runId);
  const labels = loadLabels(spec.runId);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: spec.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: spec.pods,
      parallelism: spec.pods,
      suspend: true,
      backoffLimit: 0,
      backoffLimitPerIndex: 0,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      ttlSecondsAfterFinished: TTL_AFTER_FINISHED_S,
      template: {
        metadata: { labels: { ...(spec.podLabels ?? {}), ...labels }, ...(spec.podAnnotations ? { annotations: { ...spec.podAnnotations } } : {}) },
        spec: {
          restartPolicy: 'Never',
          // The load pods never call the API server.
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: LOAD_CONTAINER,
              image: spec.image,
              command: ['node', `${MOUNT_PATH}/${BUNDLE_KEY}`],
              // JOB_COMPLETION_INDEX is added by Kubernetes for Indexed Jobs; setting it here would be wrong.
              env: [
                planInFile(spec.planJson) ? { name: 'MESHSPEC_LOAD_PLAN_FILE', value: PLAN_KEY } : { name: 'MESHSPEC_LOAD_PLAN', value: spec.planJson },
                { name: 'MESHSPEC_START_AT', value: String(spec.startAtMs) },
                { name: 'MESHSPEC_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              ],
              volumeMounts: [{ name: 'worker', mountPath: MOUNT_PATH, readOnly: true }],
              securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [{ name: 'worker', configMap: { name } }],
        },
      },
    },
  };
}

/** Whether the server kept the Job's backoffLimitPerIndex (see jobManifest). */
export const keepsPerIndexLimit = (job: V1Job): boolean => job.spec?.backoffLimitPerIndex === 0;

/**
 * The merge patch that starts a created load Job. With backoffLimitPerIndex kept, each index fails
 * at most once, so a backoffLimit of pods - 1 fails the Job outright only when every pod failed;
 * without it, backoffLimit stays 0.
 */
export function resumeJobPatch(pods: number, perIndexKept: boolean): { spec: { suspend: false; backoffLimit: number } } {
  return { spec: { suspend: false, backoffLimit: perIndexKept ? Math.max(0, pods - 1) : 0 } };
}
