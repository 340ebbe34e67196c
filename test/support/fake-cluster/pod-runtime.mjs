// The default pod runtime, used when no mesh simulation provides one: every pod gets a small HTTP echo server on
// 127.0.0.1, which answers any request with JSON describing the pod and the request.
import http from 'node:http';

/** @returns {import('./controllers.mjs').PodRuntime & { close(): Promise<void> }} */
export function createEchoPodRuntime() {
  /** @type {Map<string, http.Server>} */
  const servers = new Map();
  return {
    async start(pod) {
      const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.stringify({
            pod: pod.metadata.name,
            namespace: pod.metadata.namespace,
            method: req.method,
            path: req.url,
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
          });
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        });
      });
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(undefined));
      });
      servers.set(pod.metadata.uid, server);
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
      return { host: '127.0.0.1', port: addr.port };
    },
    async stop(pod) {
      const server = servers.get(pod.metadata.uid);
      if (!server) return;
      servers.delete(pod.metadata.uid);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
    logs(pod) {
      const c = pod.spec?.containers?.[0];
      return [
        `starting ${c?.image ?? 'container'} in pod ${pod.metadata.name}`,
        `listening on :${c?.ports?.[0]?.containerPort ?? 8080}`,
        'ready',
      ].join('\n') + '\n';
    },
    async close() {
      await Promise.all([...servers.keys()].map((uid) => this.stop({ metadata: { uid } })));
    },
  };
}
