import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineExceeded, withDeadline } from '../wait.js';
import { KubeClient } from './client.js';

/** An API server that never answers, and records when each request's connection closes. */
async function hangingServer(): Promise<{ server: Server; url: string; closed: Promise<IncomingMessage> }> {
  let onClose!: (req: IncomingMessage) => void;
  const closed = new Promise<IncomingMessage>((r) => (onClose = r));
  const server = createServer((req) => req.socket.once('close', () => onClose(req)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, closed };
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('KubeClient request deadlines', () => {
  it('aborts a request that gets no answer: the server sees the connection close', async () => {
    const bed = await hangingServer();
    server = bed.server;
    const kube = new KubeClient(kubeConfigFor(bed.url));
    kube.requestTimeoutMs = 300;
    await expect(kube.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'default' })).rejects.toThrow(
      /read ConfigMap default\/x: the API server at http:\/\/127\.0\.0\.1:\d+\/: no answer within 300ms/,
    );
    // KubernetesObjectApi first asks discovery (/api/v1) for the resource: that request hangs and is closed.
    expect((await bed.closed).url).toMatch(/^\/api\/v1/);
  });

  it('aborts when an enclosing deadline passes first', async () => {
    const bed = await hangingServer();
    server = bed.server;
    const kube = new KubeClient(kubeConfigFor(bed.url));
    const listing = withDeadline(() => kube.listPods('default', 'app=a'), 200, { what: 'the step' });
    await expect(listing).rejects.toBeInstanceOf(DeadlineExceeded);
    expect((await bed.closed).url).toContain('/api/v1/namespaces/default/pods');
  });

  it('aborts a raw GET (discovery) the same way', async () => {
    const bed = await hangingServer();
    server = bed.server;
    const kube = new KubeClient(kubeConfigFor(bed.url));
    kube.requestTimeoutMs = 200;
    await expect(kube.getJson('/apis')).rejects.toThrow(/GET \/apis: no answer within 200ms/);
    expect((await bed.closed).url).toBe('/apis');
  });
});
