// Helpers for the fake API server's tests: real @kubernetes/client-node clients, a robust port-forward, polling.
import net from 'node:net';
import http from 'node:http';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type WebSocket from 'ws';

export interface Cluster {
  url: string;
  kubeconfig: string;
  token: string;
  store: any;
  idle(): Promise<void>;
  close(): Promise<void>;
  registerAggregatedApi(api: any): () => void;
  writeKubeconfig(path: string): Promise<string>;
}

export function clients(cluster: Pick<Cluster, 'kubeconfig'>) {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  return {
    kc,
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    ext: kc.makeApiClient(k8s.ApiextensionsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
  };
}

/** Raw HTTP against the fake server, with the kubeconfig's token. */
export async function raw(
  cluster: Pick<Cluster, 'url' | 'token'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(cluster.url + path, {
    method,
    headers: {
      authorization: `Bearer ${cluster.token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** The error client-node throws for a non-2xx answer, with its Status body parsed. */
export async function apiError(p: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw err;
    const status = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code, status };
  }
  throw new Error('expected the request to fail');
}

/** Polls `fn` until it returns a truthy value; fails with `what` after the deadline. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A local TCP port forwarded to a pod port with client-node's PortForward, using the robust pattern from
 * research/portforward.md: one WebSocket per local connection, WebSocket close ends the local socket, a local
 * RST closes the WebSocket, and channel-1 errors are collected.
 */
export async function portForward(kc: k8s.KubeConfig, namespace: string, pod: string, port: number) {
  const pf = new k8s.PortForward(kc);
  const errors: string[] = [];
  const sockets = new Set<net.Socket>();
  const websockets = new Set<WebSocket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const errSink = new Writable({
      write(chunk, _enc, cb) {
        if (chunk.length) errors.push(chunk.toString());
        cb();
      },
    });
    pf.portForward(namespace, pod, [port], socket, errSink, socket).then(
      (r) => {
        const ws = r as unknown as WebSocket;
        websockets.add(ws);
        ws.on('close', () => {
          websockets.delete(ws);
          socket.end();
        });
        socket.on('close', () => ws.close());
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const localPort = (server.address() as net.AddressInfo).port;
  return {
    port: localPort,
    errors,
    async close() {
      for (const ws of websockets) ws.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One HTTP request on a fresh connection (agent: false). */
export function httpRequest(
  port: number,
  path: string,
  opts: { method?: string; body?: string | Buffer } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function deployment(name: string, namespace: string, labels: Record<string, string>, extra: { replicas?: number; image?: string; port?: number } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'default',
          containers: [{ name: 'app', image: extra.image ?? 'example/app:1.0', ports: [{ name: 'http', containerPort: extra.port ?? 9091 }], env: [{ name: 'SERVICE_NAME', value: name }] }],
        },
      },
    },
  };
}
