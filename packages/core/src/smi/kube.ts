import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type V1CustomResourceDefinition,
  type V1Pod,
} from '@kubernetes/client-node';
import { infraError, inputError } from '../errors.js';
import { redactUrl } from '../redact.js';
import type { Served } from './versions.js';

/**
 * The suite's view of a cluster: a handful of verbs over @kubernetes/client-node, with errors
 * turned into sentences. Objects are written with server-side apply, never a strategic-merge
 * patch: API servers answer 415 to strategic merge on custom resources, and client-node's
 * `KubernetesObjectApi.patch` sends it unless told otherwise.
 */

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export const refOf = (o: KubernetesObject): ObjectRef => ({
  apiVersion: o.apiVersion ?? 'v1',
  kind: o.kind ?? '',
  name: o.metadata?.name ?? '',
  namespace: o.metadata?.namespace,
});

export const describeRef = (r: ObjectRef): string => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

/** Where the kubeconfig comes from, in kubectl's order: the flag/input, then KUBECONFIG, then ~/.kube/config. */
export interface KubeTarget {
  /** Path from --kubeconfig or the `kubeconfig` input. */
  kubeconfig?: string;
  /** Context from --context; the kubeconfig's current context otherwise. */
  context?: string;
  /** The name of the flag or input the path came from, for error messages. */
  kubeconfigSource?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** Where it was read from, for messages. */
  source: string;
  context: string;
  server: string;
}

export function loadKubeConfig(target: KubeTarget): LoadedKubeConfig {
  const env = target.env ?? process.env;
  const kc = new KubeConfig();
  let source: string;
  if (target.kubeconfig) {
    const file = resolve(target.cwd ?? process.cwd(), target.kubeconfig);
    const from = target.kubeconfigSource ?? '--kubeconfig';
    if (!existsSync(file)) throw inputError(`${from}: kubeconfig file ${file} does not exist; pass the path of a kubeconfig, or leave it empty to use KUBECONFIG or ~/.kube/config`);
    loadFile(kc, file, from);
    source = file;
  } else if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f !== '' && existsSync(f));
    if (files.length === 0) throw inputError(`KUBECONFIG=${env.KUBECONFIG}: no such file; point KUBECONFIG at a kubeconfig or pass --kubeconfig`);
    loadFile(kc, files[0]!, 'KUBECONFIG');
    // kubectl merges every file in KUBECONFIG; the first one that sets a value wins.
    for (const f of files.slice(1)) {
      const extra = new KubeConfig();
      loadFile(extra, f, 'KUBECONFIG');
      kc.mergeConfig(extra, true);
    }
    source = `KUBECONFIG (${files.join(delimiter)})`;
  } else {
    const file = join(env.HOME ?? homedir(), '.kube', 'config');
    if (!existsSync(file)) {
      throw inputError(`no kubeconfig: ${file} does not exist and KUBECONFIG is not set; pass --kubeconfig (the kubeconfig input in a workflow) or start a cluster first`);
    }
    loadFile(kc, file, file);
    source = file;
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw inputError(`--context: no context "${target.context}" in ${source}; it has ${kc.getContexts().map((c) => c.name).join(', ') || 'no contexts'}`);
    }
    kc.setCurrentContext(target.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw inputError(`${source}: the current context "${kc.getCurrentContext()}" names no cluster; set current-context or pass --context`);
  return { kc, source, context: kc.getCurrentContext(), server: cluster.server };
}

function loadFile(kc: KubeConfig, file: string, from: string): void {
  try {
    kc.loadFromFile(file);
  } catch (error) {
    throw inputError(`${from}: ${file} is not a valid kubeconfig: ${(error as Error).message}`);
  }
}

/** A message for any error from client-node or the network, and whether retrying may help. */
export function describeError(error: unknown): { message: string; transient: boolean; status?: number } {
  if (error instanceof ApiException) {
    const body = error.body as unknown;
    let text: string;
    if (body && typeof body === 'object' && 'message' in body) text = String((body as { message: unknown }).message);
    else if (typeof body === 'string' && body !== '') {
      try {
        text = String((JSON.parse(body) as { message?: unknown }).message ?? body);
      } catch {
        text = body;
      }
    } else text = `HTTP ${error.code}`;
    const code = error.code;
    return { message: `HTTP ${code}: ${text}`, transient: code >= 500 || code === 429 || code === 409, status: code };
  }
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code;
  const message = e?.message ?? String(error);
  return { message: code && !message.includes(code) ? `${message} (${code})` : message, transient: true };
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** Rejects after `ms`, naming what took too long; API calls must not hang a step past its deadline. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer from the API server within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class KubeClient {
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly apiext: ApiextensionsV1Api;
  /** Every API call gives up after this long, so a hung server fails a step instead of the run. */
  requestTimeoutMs = 30_000;

  constructor(
    readonly kc: KubeConfig,
    readonly fieldManager = 'meshspec',
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(CoreV1Api);
    this.apiext = kc.makeApiClient(ApiextensionsV1Api);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no server)';
  }

  /** Server-side apply (create or update), forcing ownership: the suite owns what it creates. */
  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    return bounded(
      this.objects.patch(object, undefined, undefined, this.fieldManager, true, PatchStrategy.ServerSideApply),
      this.requestTimeoutMs,
      `apply ${describeRef(refOf(object))}`,
    );
  }

  /** The live object, or undefined when it does not exist. */
  async read<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      return (await bounded(this.objects.read(header), this.requestTimeoutMs, `read ${describeRef(ref)}`)) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes (foreground for namespaces' contents is the server's job); absent objects are fine. */
  async delete(ref: ObjectRef): Promise<void> {
    try {
      const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      await bounded(this.objects.delete(spec, undefined, undefined, undefined, undefined, 'Background'), this.requestTimeoutMs, `delete ${describeRef(ref)}`);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    const list = await bounded(this.core.listNamespacedPod({ namespace, labelSelector }), this.requestTimeoutMs, `list pods ${labelSelector} in ${namespace}`);
    return list.items;
  }

  async readCrd(name: string): Promise<V1CustomResourceDefinition | undefined> {
    try {
      return await bounded(this.apiext.readCustomResourceDefinition({ name }), this.requestTimeoutMs, `read CRD ${name}`);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The versions a CRD serves (`served: true`), or not installed. */
  async crdServedVersions(name: string): Promise<Served> {
    const crd = await this.readCrd(name);
    if (!crd) return { installed: false };
    return { installed: true, versions: (crd.spec.versions ?? []).filter((v) => v.served).map((v) => v.name) };
  }

  /** The versions discovery lists for an API group (aggregated APIs like metrics.smi-spec.io included). */
  async groupVersions(group: string): Promise<Served> {
    const apis = await this.getJson<{ groups?: { name: string; versions?: { version: string }[] }[] }>('/apis');
    const g = apis?.groups?.find((x) => x.name === group);
    if (!g) return { installed: false, detail: `discovery (/apis) does not list the group ${group}` };
    return { installed: true, versions: (g.versions ?? []).map((v) => v.version) };
  }

  /**
   * GET a path as raw JSON (no client-node model conversion), for discovery and aggregated APIs
   * whose paths KubernetesObjectApi cannot build (e.g. `.../deployments/<name>/edges`).
   * Returns undefined on 404.
   */
  async getJson<T = unknown>(path: string, signal?: AbortSignal): Promise<T | undefined> {
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    const url = new URL(this.server.replace(/\/+$/, '') + path);
    const client = url.protocol === 'http:' ? http : https;
    return new Promise<T | undefined>((resolvePromise, reject) => {
      const req = client.request(url, { ...opts, timeout: this.requestTimeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 404) return resolvePromise(undefined);
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text for the message
          }
          if (status < 200 || status > 299) return reject(new ApiException(status, `GET ${path}`, body, res.headers as Record<string, string>));
          resolvePromise(body as T);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${Math.round(this.requestTimeoutMs / 1000)} s`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** The server's version; throws an infra error that names the server when it cannot be reached. */
  async ping(source: string, timeoutMs = 10_000): Promise<string> {
    const saved = this.requestTimeoutMs;
    this.requestTimeoutMs = timeoutMs;
    try {
      const v = await this.getJson<{ gitVersion?: string }>('/version');
      return v?.gitVersion ?? 'unknown';
    } catch (error) {
      throw infraError(
        `cannot reach the Kubernetes API server at ${redactUrl(this.server)} (context "${this.kc.getCurrentContext()}", from ${source}): ${describeError(error).message}. ` +
          'Check that the cluster is running and that the kubeconfig points at it (kubectl cluster-info shows the same server).',
        { cause: error },
      );
    } finally {
      this.requestTimeoutMs = saved;
    }
  }
}
