// Load-Job-shaped objects for the fake cluster's Job tests: a ConfigMap holding a small Node script, mounted at
// /meshspec, and an Indexed Job running `node /meshspec/worker.cjs` in the default load image (the contract of
// issue 12, /work/cache/briefs/contract.md, as the production runner builds it).
import type * as k8s from '@kubernetes/client-node';
import { clients, until } from './clients.js';

const NODE_IMAGE = 'node:24-alpine@sha256:d32cdf619f63fe0471182d08996dd516c6275bb5fd31ae06e55a570bd9e1ad43';

type Clients = ReturnType<typeof clients>;

export interface JobOptions {
  pods?: number;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  suspend?: boolean;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  env?: Record<string, string>;
  image?: string;
  podLabels?: Record<string, string>;
}

export function loadJob(name: string, configMap: string, o: JobOptions = {}): k8s.V1Job {
  const pods = o.pods ?? 1;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { 'app.kubernetes.io/name': 'meshspec-load' } },
    spec: {
      completionMode: 'Indexed',
      completions: pods,
      parallelism: pods,
      backoffLimit: o.backoffLimit ?? 0,
      ...(o.backoffLimitPerIndex !== undefined ? { backoffLimitPerIndex: o.backoffLimitPerIndex } : {}),
      ...(o.maxFailedIndexes !== undefined ? { maxFailedIndexes: o.maxFailedIndexes } : {}),
      ...(o.suspend !== undefined ? { suspend: o.suspend } : {}),
      ...(o.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: o.activeDeadlineSeconds } : {}),
      ...(o.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: o.ttlSecondsAfterFinished } : {}),
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'meshspec-load', ...o.podLabels } },
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'worker', configMap: { name: configMap } }],
          containers: [
            {
              name: 'load',
              image: o.image ?? NODE_IMAGE,
              command: ['node', '/meshspec/worker.cjs'],
              env: Object.entries(o.env ?? {}).map(([k, v]) => ({ name: k, value: v })),
              volumeMounts: [{ name: 'worker', mountPath: '/meshspec', readOnly: true }],
            },
          ],
        },
      },
    },
  };
}

/** Creates the ConfigMap (the script under `worker.cjs`, plus extra files) and the Job. */
export async function runJob(c: Clients, namespace: string, name: string, script: string, o: JobOptions & { files?: Record<string, string> } = {}) {
  await c.core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { 'worker.cjs': script, ...o.files } } });
  return c.batch.createNamespacedJob({ namespace, body: loadJob(name, name, o) });
}

export async function jobPods(c: Clients, namespace: string, job: string) {
  return (await c.core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;
}

export async function jobCondition(c: Clients, namespace: string, name: string, timeoutMs = 15_000) {
  return until(`job ${name} finished`, async () => {
    const j = await c.batch.readNamespacedJob({ name, namespace });
    return j.status?.conditions?.find((x) => ['Complete', 'Failed'].includes(x.type) && x.status === 'True') && j;
  }, timeoutMs);
}

/** The pids that scripts printed as `pid <n>` in their pod's log. */
export async function podPid(c: Clients, namespace: string, pod: string): Promise<number> {
  return until(`pid of ${pod}`, async () => {
    const log = await c.core.readNamespacedPodLog({ name: pod, namespace, container: 'load' });
    const m = /^pid (\d+)$/m.exec(log);
    return m ? Number(m[1]) : undefined;
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
