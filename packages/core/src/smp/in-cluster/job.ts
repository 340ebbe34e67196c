import type { V1ConfigMap, V1Job, V1OwnerReference } from '@kubernetes/client-node';

/**
 * The objects of one in-cluster load run (docs/architecture.md, "Load from inside the cluster"):
 * a ConfigMap holding the worker bundle, and an Indexed Job whose pods run it.
 *
 * Why each Job field (kubernetes/website content/en/docs/concepts/workloads/controllers/job.md):
 * - completionMode Indexed: each pod gets JOB_COMPLETION_INDEX, its share of the load (shares.ts);
 * - parallelism = completions = pods: all run at once, each index once;
 * - backoffLimit 0 and restartPolicy Never: a retried pod would add load nobody asked for;
 * - activeDeadlineSeconds: the cluster stops the Job even if this process dies;
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
      backoffLimit: 0,
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
