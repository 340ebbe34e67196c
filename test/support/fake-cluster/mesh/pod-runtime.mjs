// The pod runtime: a "container" for each pod is a real HTTP server on 127.0.0.1:<random>,
// keyed by the pod's uid. The API server's controllers start one when a pod is scheduled and
// stop it when the pod goes; port-forward and the mesh reach the pod through its endpoint.
//
// - A pod with a sample-app container runs the simulated sample app (sample-app.mjs). Sample-app
//   images are `layer5/learn-layer5` with any tag except `smi*` (those tags hold Meshery's gRPC
//   conformance tool, not the app), and `meshspec/sample-app`, with any registry prefix, tag or
//   digest. Its SERVICE_NAME and PORT come from the container's `env[].value`.
// - Any other pod gets a tiny generic server that answers every request with 200 and a JSON
//   description of the pod and the request, so port-forward to any pod works.
// - Whether the pod has a sidecar is decided once, at start, as an injector would.
// - Logs are kept per pod (the last 5000 lines) for `pods/log`.

import { createServer } from 'node:http';
import { startSampleApp } from './sample-app.mjs';

const SAMPLE_APP_IMAGE = [
  /^(?:[^/]+\/)*layer5\/learn-layer5(?::(?!smi)[^@/]+)?(?:@sha256:[0-9a-f]+)?$/,
  /^(?:[^/]+\/)*meshspec\/sample-app(?::[^@/]+)?(?:@sha256:[0-9a-f]+)?$/,
];
const MAX_LOG_LINES = 5000;

/** @param {string | undefined} image */
export function isSampleAppImage(image) {
  return typeof image === 'string' && SAMPLE_APP_IMAGE.some((re) => re.test(image));
}

/** @param {any} pod */
function podKey(pod) {
  return pod?.metadata?.uid || `${pod?.metadata?.namespace}/${pod?.metadata?.name}`;
}

/**
 * @param {object} deps
 * @param {(pod: any) => import('./sample-app.mjs').Outbound} deps.outboundFor  the pod's sidecar
 * @param {(pod: any) => boolean} deps.injected  does a pod starting now get a sidecar?
 */
export function createPodRuntime({ outboundFor, injected }) {
  /**
   * @typedef {{ pod: any, meshed: boolean, lines: string[], ready: Promise<{host: '127.0.0.1', port: number}>, app?: { host: '127.0.0.1', port: number, close(): Promise<void> }, stopped?: boolean }} Entry
   * @type {Map<string, Entry>}
   */
  const entries = new Map();

  /** @param {any} pod */
  function start(pod) {
    const key = podKey(pod);
    const existing = entries.get(key);
    if (existing) return existing.ready;
    /** @type {Entry} */
    const entry = { pod, meshed: injected(pod), lines: [], ready: Promise.resolve({ host: '127.0.0.1', port: 0 }) };
    const log = (/** @type {string} */ line) => {
      entry.lines.push(line);
      if (entry.lines.length > MAX_LOG_LINES) entry.lines.splice(0, entry.lines.length - MAX_LOG_LINES);
    };
    entry.ready = (async () => {
      const containers = pod.spec?.containers ?? [];
      const sample = containers.find((/** @type {any} */ c) => isSampleAppImage(c.image));
      const app = sample
        ? await startSampleApp({
            serviceName: envValue(sample, 'SERVICE_NAME'),
            listenPort: envValue(sample, 'PORT') || '9091',
            outbound: outboundFor(pod),
            log,
          })
        : await startGenericApp(pod, log);
      if (entry.stopped) {
        await app.close();
        throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} was stopped while starting`);
      }
      entry.app = app;
      return { host: app.host, port: app.port };
    })();
    entries.set(key, entry);
    return entry.ready;
  }

  /** @param {any} pod */
  async function stop(pod) {
    const key = podKey(pod);
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    entry.stopped = true;
    await entry.ready.catch(() => undefined);
    await entry.app?.close();
  }

  return {
    start,
    stop,
    /** @param {any} pod */
    logs(pod) {
      const lines = entries.get(podKey(pod))?.lines ?? [];
      return lines.length ? lines.join('\n') + '\n' : '';
    },
    /** The pod's server, once it is listening. @param {any} pod */
    endpoint(pod) {
      const app = entries.get(podKey(pod))?.app;
      return app ? { host: app.host, port: app.port } : undefined;
    },
    /** Did the pod get a sidecar when it started? undefined if the runtime never started it. @param {any} pod */
    meshed(pod) {
      return entries.get(podKey(pod))?.meshed;
    },
    async closeAll() {
      await Promise.all([...entries.values()].map((e) => stop(e.pod)));
    },
  };
}

/** @param {any} container @param {string} name @returns {string | undefined} */
function envValue(container, name) {
  const e = (container.env ?? []).find((/** @type {any} */ x) => x.name === name);
  return typeof e?.value === 'string' ? e.value : undefined;
}

/**
 * @param {any} pod @param {(line: string) => void} log
 * @returns {Promise<{ host: '127.0.0.1', port: number, close(): Promise<void> }>}
 */
async function startGenericApp(pod, log) {
  const server = createServer((req, res) => {
    log(`${new Date().toISOString()} ${req.method} ${req.url}`);
    const body = JSON.stringify({
      pod: pod.metadata?.name,
      namespace: pod.metadata?.namespace,
      method: req.method,
      path: req.url,
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    req.resume();
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen(undefined));
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  log(`${new Date().toISOString()} listening`);
  return {
    host: '127.0.0.1',
    port,
    close: () =>
      new Promise((resolveClose) => {
        server.close(() => resolveClose(undefined));
        server.closeAllConnections();
      }),
  };
}
