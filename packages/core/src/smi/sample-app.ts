import http from 'node:http';
import type { V1Pod } from '@kubernetes/client-node';
import type { MeshInfo } from '../mesh/registry.js';
import { CheckFailed } from './test-case.js';
import { describeError, type KubeClient } from '../kube/client.js';
import { openPortForward, type PortForwardHandle } from './port-forward.js';
import { labelSelector, SAMPLE_APP_PORT, serviceHost, type AppName, type SampleAppDef } from './workloads.js';
import { DEFAULTS } from '../defaults.js';
import { formatGoDuration } from '../duration.js';
import { deadlineSignal } from '../wait.js';

/** What the sample app records (learn-layer5 `service/main.go`, GET /metrics). */
export interface AppMetrics {
  /** The `ServiceName` header of every request it received ("Unidentified" without one). */
  ReqReceived: string[];
  /** Calls it made (through /call) that got a 2xx/3xx. */
  RespSucceeded: CallRecord[];
  /** Calls it made that got any other status. Transport errors (refused, reset) record nothing. */
  RespFailed: CallRecord[];
}

export interface CallRecord {
  URL: string;
  Method: string;
  Headers?: unknown;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One request to a local port (the port-forward), one connection per request (no keep-alive). */
function localRequest(
  port: number,
  options: { method: string; path: string; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<HttpAnswer> {
  return new Promise((resolvePromise, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method,
        path: options.path,
        agent: false,
        // A total deadline (wait.ts), not a socket idle timeout: a server that drips bytes cannot stretch it.
        signal: deadlineSignal(options.timeoutMs, options.signal),
        headers: body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', (error) => {
      const timedOut = error.name === 'AbortError' && !options.signal?.aborted;
      reject(timedOut ? new Error(`no answer within ${formatGoDuration(options.timeoutMs)}`, { cause: error }) : error);
    });
    req.end(body);
  });
}

/**
 * The sample apps of one test case, reached through port-forwards to their pods (opened on first
 * use, reopened if a pod changed). The runner never goes through the mesh itself: it asks app-a to
 * make calls (`POST /call`) and reads what each app recorded (`/metrics`).
 */
export class SampleApps {
  private readonly forwards = new Map<AppName, { pod: string; handle: PortForwardHandle }>();
  /** Per request; a /call waits for the app's own call, which a mesh may hold until its timeout. */
  requestTimeoutMs: number = DEFAULTS.kubeRequestMs;

  constructor(
    private readonly kube: KubeClient,
    readonly namespace: string,
    private readonly mesh: MeshInfo,
    private readonly apps: readonly SampleAppDef[],
  ) {}

  /** The URL app-a uses to call a service: a valid FQDN (never Meshery's `..svc`). */
  url(service: string, path: string): string {
    return `http://${serviceHost(this.mesh, service, this.namespace)}:${SAMPLE_APP_PORT}${path}`;
  }

  /** Asks `from` to call `url`; the answer is the app's own response to /call. */
  async call(from: AppName, request: { url: string; method?: string; signal?: AbortSignal }): Promise<HttpAnswer> {
    const body = JSON.stringify({ url: request.url, method: request.method ?? 'GET', headers: {}, body: '' });
    return this.request(from, { method: 'POST', path: '/call', body, signal: request.signal });
  }

  async metrics(app: AppName, signal?: AbortSignal): Promise<AppMetrics> {
    const answer = await this.request(app, { method: 'GET', path: '/metrics', signal });
    if (answer.status !== 200) throw new CheckFailed(`${app} GET /metrics answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    let parsed: Partial<AppMetrics>;
    try {
      parsed = JSON.parse(answer.body) as Partial<AppMetrics>;
    } catch {
      throw new CheckFailed(`${app} GET /metrics did not return JSON: ${answer.body.slice(0, 200)}`);
    }
    return { ReqReceived: parsed.ReqReceived ?? [], RespSucceeded: parsed.RespSucceeded ?? [], RespFailed: parsed.RespFailed ?? [] };
  }

  /** DELETE /metrics on each app, so a check counts only its own traffic. */
  async reset(apps: readonly AppName[], signal?: AbortSignal): Promise<void> {
    for (const app of apps) {
      const answer = await this.request(app, { method: 'DELETE', path: '/metrics', signal });
      if (answer.status >= 300) throw new CheckFailed(`${app} DELETE /metrics answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    }
  }

  async close(): Promise<void> {
    const all = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(all.map((f) => f.handle.close()));
  }

  private async request(app: AppName, options: { method: string; path: string; body?: string; signal?: AbortSignal }): Promise<HttpAnswer> {
    const forward = await this.forward(app);
    try {
      return await localRequest(forward.port, { ...options, timeoutMs: this.requestTimeoutMs });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // The pod may have been replaced: forget the forward so the next attempt finds the new pod.
      const why = forward.lastError ?? describeError(error).message;
      await this.drop(app);
      throw new CheckFailed(`cannot reach ${app} through a port-forward: ${why}`);
    }
  }

  private async drop(app: AppName): Promise<void> {
    const f = this.forwards.get(app);
    this.forwards.delete(app);
    await f?.handle.close();
  }

  private async forward(app: AppName): Promise<PortForwardHandle> {
    const existing = this.forwards.get(app);
    if (existing) return existing.handle;
    const def = this.apps.find((a) => a.name === app);
    if (!def) throw new Error(`no sample app ${app} in this test case`);
    const selector = labelSelector(def.podLabels);
    const pods = await this.kube.listPods(this.namespace, selector);
    const pod = pods.find(isReady);
    if (!pod) {
      throw new CheckFailed(`no ready pod of ${app} (${selector}) in ${this.namespace}: ${pods.map((p) => `${p.metadata?.name} ${p.status?.phase}`).join(', ') || 'none'}`);
    }
    const handle = await openPortForward(this.kube.kc, { namespace: this.namespace, pod: pod.metadata!.name!, port: SAMPLE_APP_PORT });
    this.forwards.set(app, { pod: pod.metadata!.name!, handle });
    return handle;
  }
}

function isReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (pod.status?.phase !== 'Running') return false;
  return (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
