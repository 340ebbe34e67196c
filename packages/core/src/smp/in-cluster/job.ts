import type { V1ConfigMap, V1Job, V1OwnerReference } from '@kubernetes/client-node';
import type { WorkerEnvPlan } from './worker.js';

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
  plan: WorkerEnvPlan['plan'];
  /** The common start time, epoch ms. */
  startAtMs: number;
  /** The cluster stops the Job after this long (start lead + duration + grace + margin). */
  activeDeadlineSeconds: number;
  podLabels?: Record<string, string>;
  podAnnotations?: Record<string, string>;
}

export const loadObjectName = (runId: string) => `meshspec-load-${runId}`;

export function loadLabels(runId: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'meshspec-load', 'app.kubernetes.io/managed-by': 'meshspec', [RUN_LABEL]: runId };
}

export function configMapManifest(spec: Pick<LoadJobSpec, 'runId' | 'namespace'>, bundle: string, owner?: V1OwnerReference): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: loadObjectName(spec.runId), namespace: spec.namespace, labels: loadLabels(spec.runId), ...(owner ? { ownerReferences: [owner] } : {}) },
    data: { [BUNDLE_KEY]: bundle },
  };
}

export function jobManifest(spec: LoadJobSpec): V1Job {
  const name = loadObjectName(spec.runId);
  const labels = loadLabels(spec.runId);
  const envPlan: WorkerEnvPlan = { pods: spec.pods, plan: spec.plan };
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
                { name: 'MESHSPEC_LOAD_PLAN', value: JSON.stringify(envPlan) },
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
