// The data plane: what the calling pod's sidecar (and the destination's) do with one outbound
// HTTP request from a sample app. decide() says where it goes and whether it may; this module
// turns that into what a client really sees and records what a mesh would measure.
//
// What the client sees, by outcome (modelled on Envoy, the proxy of OSM, Istio, Kuma, Consul):
//   dns-error    transport error "dial tcp: lookup <host>: no such host" (Go's words)
//   refused      transport error "connect: connection refused"
//   denied       HTTP 403, body "RBAC: access denied" (Envoy's RBAC filter). A status, not a
//                reset, so Meshery's sample app records it in RespFailed as the suite expects.
//   no-route     HTTP 404 with an empty body (Envoy, when no route of the virtual host matches)
//   reset        transport error "connection reset by peer" (Envoy's L4 RBAC network filter)
//   unavailable  HTTP 503, body "no healthy upstream"
//   allowed      a real HTTP request to the chosen pod's server on 127.0.0.1; if that pod has
//                no running server, 503 "upstream connect error or disconnect/reset before
//                headers. reset reason: connection failure"; after 15 s (Envoy's default route
//                timeout) 504 "upstream request timeout".
// Calls that reach a destination pod, allowed or denied, are recorded for the metrics API when
// either side has a sidecar (a mesh sees nothing between two pods outside it).

import { request as httpRequest, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { decide, serviceAccountOf } from './decide.mjs';
import { podRef } from './metrics-api.mjs';

const UPSTREAM_TIMEOUT_MS = 15_000;

/**
 * @param {object} deps
 * @param {() => import('./decide.mjs').World} deps.world
 * @param {import('./decide.mjs').DecideOptions & { isMeshed: (pod: any) => boolean }} deps.decideOptions
 * @param {(pod: any) => { host: string, port: number } | undefined} deps.endpointOf
 * @param {import('./metrics-api.mjs').TrafficRecorder} deps.recorder
 * @param {number} [deps.delayMs]  latency each sidecar adds to a request that passes through it (the caller's
 *   outbound hop, the destination's inbound hop), one timer per hop; 0 (default) adds none
 */
export function createSidecar({ world, decideOptions, endpointOf, recorder, delayMs = 0 }) {
  // No keep-alive for the sample apps: every forwarded call is its own connection, so nothing idles past close().
  const agent = new Agent({ keepAlive: false });
  // Process pods (egress.mjs) keep connections to the destination alive, as Envoy does upstream and as a direct
  // pod-to-pod connection does; close() destroys them.
  const keepAliveAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();
  /**
   * Waits until `deadline` (performance.now() time) with one timer. The hops of a request are chained on absolute
   * deadlines (entry + N, entry + 2N), so a timer that fires late does not push the next hop later too. Node's
   * timers fire up to a millisecond or so off (libuv counts whole milliseconds from the loop's cached time), and
   * more when the loop is busy: `lead` learns how late they fire here (an integral controller on the lateness of
   * each timer) and starts them that much early, so hops take N ms on average, not N plus the timers' lateness.
   * @param {number} deadline
   */
  let lead = 0;
  const until = (deadline) =>
    new Promise((resolveHop) => {
      const t = setTimeout(() => {
        timers.delete(t);
        lead = Math.max(0, Math.min(delayMs, lead + 0.1 * (performance.now() - deadline)));
        resolveHop(undefined);
      }, Math.max(0, deadline - performance.now() - lead));
      timers.add(t);
    });
  /** @type {Set<import('node:http').ClientRequest>} */
  const inflight = new Set();

  /**
   * @param {any} sourcePod
   * @param {import('./sample-app.mjs').OutboundRequest} req
   * @returns {Promise<import('./sample-app.mjs').OutboundResponse>}
   */
  async function request(sourcePod, req) {
    const started = performance.now();
    const url = req.url;
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const srcMeshed = decideOptions.isMeshed(sourcePod);
    const decision = decide(
      world(),
      {
        source: {
          namespace: sourcePod.metadata.namespace,
          serviceAccount: serviceAccountOf(sourcePod),
          podLabels: sourcePod.metadata.labels ?? {},
          meshed: srcMeshed,
          uid: sourcePod.metadata.uid,
        },
        host: url.hostname,
        port,
        method: req.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(req.headers.map(([k, v]) => [k.toLowerCase(), v])),
      },
      decideOptions,
    );

    // The caller's sidecar handles every outbound call (even one it answers itself); the destination's sidecar
    // every call that reaches the destination pod.
    const hops = (srcMeshed && decision.outcome !== 'dns-error' ? 1 : 0) +
      (decision.pod && decideOptions.isMeshed(decision.pod) && ['allowed', 'denied', 'no-route', 'reset'].includes(decision.outcome) ? 1 : 0);
    if (delayMs > 0 && hops > 0) {
      const entered = performance.now();
      for (let h = 1; h <= hops; h++) await until(entered + h * delayMs);
    }

    const observe = (/** @type {number} */ status) => {
      if (!decision.pod || !(srcMeshed || decideOptions.isMeshed(decision.pod))) return;
      recorder.record({ source: podRef(sourcePod), destination: podRef(decision.pod), status, latencyMs: performance.now() - started });
    };

    switch (decision.outcome) {
      case 'dns-error':
        throw transportError(`dial tcp: ${decision.reason}`, 'ENOTFOUND');
      case 'refused':
        throw transportError(`dial tcp ${url.host}: ${decision.reason}`, 'ECONNREFUSED');
      case 'unavailable':
        return envoyReply(503, 'no healthy upstream');
      case 'denied':
        observe(403);
        return envoyReply(403, 'RBAC: access denied');
      case 'no-route':
        observe(404);
        return envoyReply(404, '');
      case 'reset':
        observe(0);
        throw transportError(`read tcp ${url.host}: read: connection reset by peer (${decision.reason})`, 'ECONNRESET');
      default:
        break;
    }

    if (url.protocol === 'https:') {
      observe(0);
      throw transportError('tls: first record does not look like a TLS handshake', 'EPROTO');
    }
    const endpoint = endpointOf(decision.pod);
    if (!endpoint) {
      observe(503);
      return envoyReply(503, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure');
    }
    const resp = await forward(endpoint, url, req);
    observe(resp.status);
    return resp;
  }

  /**
   * @param {{ host: string, port: number }} endpoint @param {URL} url
   * @param {import('./sample-app.mjs').OutboundRequest} req
   * @returns {Promise<import('./sample-app.mjs').OutboundResponse>}
   */
  function forward(endpoint, url, req) {
    return new Promise((resolveForward) => {
      const headers = [['Host', url.host], ...req.headers].flat();
      const out = httpRequest({
        host: endpoint.host,
        port: endpoint.port,
        method: req.method,
        path: url.pathname + url.search,
        headers,
        agent: req.keepAlive ? keepAliveAgent : agent,
        setHost: false,
      });
      inflight.add(out);
      let settled = false;
      const done = (/** @type {import('./sample-app.mjs').OutboundResponse} */ r) => {
        if (settled) return;
        settled = true;
        inflight.delete(out);
        resolveForward(r);
      };
      out.setTimeout(UPSTREAM_TIMEOUT_MS, () => {
        done(envoyReply(504, 'upstream request timeout'));
        out.destroy();
      });
      out.on('error', () =>
        done(envoyReply(503, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure')),
      );
      out.on('response', (res) => {
        const chunks = /** @type {Buffer[]} */ ([]);
        res.on('data', (c) => chunks.push(c));
        res.on('error', () => done(envoyReply(503, 'upstream connect error or disconnect/reset before headers. reset reason: connection termination')));
        res.on('end', () => done({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      out.end(req.body);
    });
  }

  return {
    request,
    close() {
      for (const r of inflight) r.destroy();
      inflight.clear();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      agent.destroy();
      keepAliveAgent.destroy();
    },
  };
}

/** @param {number} status @param {string} body */
function envoyReply(status, body) {
  return {
    status,
    headers: { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), server: 'envoy' },
    body: Buffer.from(body),
  };
}

/** @param {string} message @param {string} code */
function transportError(message, code) {
  return Object.assign(new Error(message), { code });
}
