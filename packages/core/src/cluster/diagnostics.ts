import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { describeExit, runCommand } from '../exec.js';
import { podNotReady, shortError } from './readiness.js';

export interface DiagnosticsOptions {
  /** The results directory; files go to `<outDir>/diagnostics/`. */
  outDir: string;
  /** The cluster, when there is one that answers. */
  kubeConfig?: KubeConfig;
  /** Namespaces whose pods' logs are collected (ours: the suite's, the mesh's). kube-system is always listed. */
  namespaces: string[];
  /** When meshspec runs minikube: its binary, profile and environment, for `minikube logs`. */
  minikube?: { path: string; profile: string; env: NodeJS.ProcessEnv };
  logger: Logger;
  signal?: AbortSignal;
  /** Lines of each container's log to keep. */
  tailLines?: number;
}

/**
 * Collects what explains a failure, from the main step (not the post step) so the files are in the
 * output directory when it is uploaded: the events of every namespace, pod status, the logs of the
 * pods in our namespaces, and `minikube logs`. Every part is best effort: what cannot be read is
 * noted in `errors.txt`, and collection never throws.
 */
export async function collectDiagnostics(options: DiagnosticsOptions): Promise<string[]> {
  const dir = join(options.outDir, 'diagnostics');
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const problems: string[] = [];
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text.endsWith('\n') || text === '' ? text : `${text}\n`);
    written.push(file);
  };
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      problems.push(`${what}: ${shortError(error)}`);
    }
  };

  const kc = options.kubeConfig;
  if (kc) {
    const core = kc.makeApiClient(CoreV1Api);
    await attempt('events', async () => {
      const events = (await core.listEventForAllNamespaces()).items.sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
      write('events.txt', events.map(formatEvent).join('\n'));
    });
    const namespaces = [...new Set(['kube-system', ...options.namespaces])];
    for (const namespace of namespaces) {
      await attempt(`pods in ${namespace}`, async () => {
        const pods = (await core.listNamespacedPod({ namespace })).items;
        write(
          `pods-${namespace}.txt`,
          pods.map((p) => `${p.metadata?.name}\t${p.status?.phase ?? 'Unknown'}\t${podNotReady(p) ? `not ready: ${podNotReady(p)}` : 'ready'}`).join('\n'),
        );
        if (namespace === 'kube-system' && !options.namespaces.includes('kube-system')) return;
        for (const pod of pods) {
          for (const container of pod.spec?.containers ?? []) {
            const name = pod.metadata?.name ?? 'unknown';
            await attempt(`logs of ${namespace}/${name}/${container.name}`, async () => {
              const log = await core.readNamespacedPodLog({ name, namespace, container: container.name, tailLines: options.tailLines ?? 500 });
              write(join('logs', namespace, `${name}.${container.name}.log`), String(log ?? ''));
            });
          }
        }
      });
    }
  }
  if (options.minikube) {
    const mk = options.minikube;
    await attempt('minikube logs', async () => {
      const result = await runCommand(mk.path, ['logs', `--profile=${mk.profile}`], {
        env: mk.env,
        logger: options.logger,
        signal: options.signal,
        echo: 'none',
        timeoutMs: 120_000,
      });
      write('minikube-logs.txt', result.stdout + (result.stderr ? `\n--- stderr ---\n${result.stderr}` : ''));
      if (result.code !== 0) problems.push(`minikube logs: ${describeExit(result)}`);
    });
  }
  if (problems.length) write('errors.txt', problems.join('\n'));
  options.logger.info(`diagnostics: ${written.length} file(s) in ${dir}`);
  return written;
}

function eventTime(e: CoreV1Event): string {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t as unknown as string).toISOString() : '';
}

function formatEvent(e: CoreV1Event): string {
  const obj = e.involvedObject;
  return [eventTime(e), e.type ?? '', e.reason ?? '', `${obj?.kind ?? ''}/${obj?.namespace ? `${obj.namespace}/` : ''}${obj?.name ?? ''}`, e.message ?? ''].join('\t');
}
