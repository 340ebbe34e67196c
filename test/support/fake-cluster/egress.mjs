// The network of process pods (process-pods.mjs): a per-pod listener on 127.0.0.1 that stands in for the iptables
// redirect of the pod's outbound traffic (to the sidecar's outbound port in a meshed pod, to kube-proxy's Service
// routing in a plain one). The pod's Node process is started with a preload (egress-shim.cjs) that sends every TCP
// connection to anything but 127.0.0.1/localhost/::1 here. Each HTTP request is then routed by its Host header
// through the simulated mesh (mesh/sidecar.mjs, which runs mesh/decide.mjs: DNS with the pod's own namespace's
// search list, Services, splits, access control, the per-hop sidecar delay) with this pod as the source.
//
// What the process sees: the answer of the destination (or of the mesh: 403, 503, ...). A transport error of the
// mesh (no such host, connection refused, reset) closes the connection: the process sees ECONNRESET / "socket hang
// up" rather than ENOTFOUND or ECONNREFUSED, because the name was already "resolved" to this listener. TLS to a
// redirected address fails its handshake (this listener speaks plain HTTP): https to cluster names is a transport
// error. Connections are kept alive both ways (keep-alive from the process, and to the destination pod, as Envoy and
// a direct pod-to-pod connection would keep them).
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const EGRESS_SHIM = fileURLToPath(new URL('./egress-shim.cjs', import.meta.url));

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

/**
 * @param {{ outbound: import('./mesh/sample-app.mjs').Outbound }} o the pod's outbound path (its sidecar, or plain routing)
 * @returns {Promise<{ port: number, close(): Promise<void> }>}
 */
export async function startEgress({ outbound }) {
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const host = req.headers.host;
      if (!host) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('fake cluster egress: a request without a Host header cannot be routed\n');
        return;
      }
      /** @type {Array<[string, string]>} */
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(req.rawHeaders[i].toLowerCase())) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      }
      let url;
      try {
        url = new URL(`http://${host}${req.url}`);
      } catch {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`fake cluster egress: bad Host ${JSON.stringify(host)}\n`);
        return;
      }
      outbound({ method: req.method ?? 'GET', url, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, keepAlive: true }).then(
        (r) => {
          /** @type {Record<string, string | string[]>} */
          const out = {};
          for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase()) && k.toLowerCase() !== 'content-length') out[k] = v;
          out['content-length'] = String(r.body.length);
          res.writeHead(r.status, out);
          res.end(r.body);
        },
        () => req.socket.destroy(),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  return {
    port: /** @type {import('node:net').AddressInfo} */ (server.address()).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      }),
  };
}
