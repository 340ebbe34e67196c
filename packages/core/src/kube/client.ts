import http from 'node:http';
import https from 'node:https';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  ServerConfiguration,
  createConfiguration,
  PatchStrategy,
  type KubernetesObject,
  type CoreV1Event,
  type V1CustomResourceDefinition,
  type V1Pod,
} from '@kubernetes/client-node';
import { infraError } from '../errors.js';
import { redactUrl } from '../redact.js';
import { DEFAULTS } from '../defaults.js';
import { formatGoDuration } from '../duration.js';
import { ambientSignal, deadlineSignal, withDeadline } from '../wait.js';

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

/** KubernetesObjectApi.makeApiClient, with our configuration (setDefaultNamespace is protected). */
class ObjectApi extends KubernetesObjectApi {
  static create(config: ConstructorParameters<typeof KubernetesObjectApi>[0], kc: KubeConfig): KubernetesObjectApi {
    const api = new ObjectApi(config);
    api.setDefaultNamespace(kc);
    return api;
  }
}

/** What discovery says of a group or CRD: not installed, or the versions it serves. */
export type Served = { installed: false; detail?: string } | { installed: true; versions: string[] };

export class KubeClient {
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly apiext: ApiextensionsV1Api;
  /** Every API call gives up after this long, so a hung server fails a step instead of the run. */
  requestTimeoutMs: number = DEFAULTS.kubeRequestMs;

  constructor(
    readonly kc: KubeConfig,
    readonly fieldManager = 'meshspec',
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    // client-node's generated APIs take no signal per call; this middleware gives each request the
    // deadline it runs under (wait.ts `ambientSignal`), so a timed-out call closes its connection.
    const config = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (context) => {
            const signal = ambientSignal();
            if (signal) context.setSignal(signal);
            return context;
          },
          post: async (response) => response,
        },
      ],
    });
    this.objects = ObjectApi.create(config, kc);
    this.core = new CoreV1Api(config);
    this.apiext = new ApiextensionsV1Api(config);
  }

  /** One API call under the request deadline (and any enclosing one); aborted when it passes. */
  private call<T>(what: string, request: () => Promise<T>): Promise<T> {
    return withDeadline(request, this.requestTimeoutMs, { what: `${what}: the API server at ${redactUrl(this.server)}` });
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no server)';
  }

  /** Server-side apply (create or update), forcing ownership: the suite owns what it creates. */
  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    return this.call(`apply ${describeRef(refOf(object))}`, () =>
      this.objects.patch(object, undefined, undefined, this.fieldManager, true, PatchStrategy.ServerSideApply),
    );
  }

  /** Creates an object (POST): fails with 409 when one of that name exists. */
  async create<T extends KubernetesObject>(object: T): Promise<T> {
    return this.call(`create ${describeRef(refOf(object))}`, () => this.objects.create(object, undefined, undefined, this.fieldManager)) as Promise<T>;
  }

  /** A JSON merge patch (RFC 7386): changes the fields it names and takes ownership of no others, as a forced server-side apply would. */
  async mergePatch<T extends KubernetesObject>(ref: ObjectRef, patch: Record<string, unknown>): Promise<T> {
    const body = { ...patch, apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
    return this.call(`patch ${describeRef(ref)}`, () => this.objects.patch(body, undefined, undefined, this.fieldManager, undefined, PatchStrategy.MergePatch)) as Promise<T>;
  }

  /** The live object, or undefined when it does not exist. */
  async read<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      return (await this.call(`read ${describeRef(ref)}`, () => this.objects.read(header))) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes (foreground for namespaces' contents is the server's job); absent objects are fine. */
  async delete(ref: ObjectRef): Promise<void> {
    try {
      const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      await this.call(`delete ${describeRef(ref)}`, () => this.objects.delete(spec, undefined, undefined, undefined, undefined, 'Background'));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    const list = await this.call(`list pods ${labelSelector} in ${namespace}`, () => this.core.listNamespacedPod({ namespace, labelSelector }));
    return list.items;
  }

  /**
   * A container's whole log. Never tailLines or limitBytes: tailLines counts the runtime's 16 KiB
   * partial-line records, not lines, and limitBytes cuts (kubernetes pkg/kubelet/kuberuntime/logs/logs.go).
   */
  async podLog(namespace: string, name: string, container: string): Promise<string> {
    return this.call(`read the log of pod ${namespace}/${name}`, () => this.core.readNamespacedPodLog({ name, namespace, container }));
  }

  /** The events about one object (core/v1 Events by involvedObject.name), oldest first. */
  async eventsFor(namespace: string, name: string): Promise<CoreV1Event[]> {
    const list = await this.call(`list events of ${namespace}/${name}`, () => this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }));
    const at = (e: CoreV1Event) => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? 0).getTime();
    return [...list.items].sort((a, b) => at(a) - at(b));
  }

  async readCrd(name: string): Promise<V1CustomResourceDefinition | undefined> {
    try {
      return await this.call(`read CRD ${name}`, () => this.apiext.readCustomResourceDefinition({ name }));
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
      const req = client.request(url, { ...opts, signal: deadlineSignal(this.requestTimeoutMs, signal) }, (res) => {
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
      req.on('error', (error) => {
        const timedOut = error.name === 'AbortError' && !signal?.aborted;
        reject(timedOut ? new Error(`GET ${path}: no answer within ${formatGoDuration(this.requestTimeoutMs)}`, { cause: error }) : error);
      });
      req.end();
    });
  }

  /** The server's version; throws an infra error that names the server when it cannot be reached. */
  async ping(source: string, timeoutMs: number = DEFAULTS.kubePingMs): Promise<string> {
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
