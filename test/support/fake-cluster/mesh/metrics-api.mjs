// The Traffic Metrics API (metrics.smi-spec.io/v1alpha1, traffic-metrics-v1alpha1.md), served
// as an aggregated API from what the simulated sidecars observed.
//
// Paths (GET only), relative to /apis/metrics.smi-spec.io/v1alpha1:
//   /namespaces                         TrafficMetricsList, one item per namespace
//   /namespaces/{ns}                    TrafficMetrics of a namespace
//   /namespaces/{ns}/edges              its edges
//   /pods, /deployments                 lists across all namespaces
//   /namespaces/{ns}/{pods|deployments}[/{name}[/edges]]
// `?labelSelector=` filters the items of a list (not the metrics themselves, as the spec says).
//
// The shapes follow smi-sdk-go's pkg/apis/metrics/v1alpha1 (what implementations served):
// - metric values are Kubernetes quantities (JSON strings): counts like "50" or "2k", latencies in
//   unit "ms" with milli precision, e.g. "1234m" = 1.234 ms;
// - a resource's own TrafficMetrics has `edge: null` and covers the traffic it *received*
//   ("a blank edge.resource would have metrics for all the traffic received by resource");
// - an edge item has `edge: {direction, side, resource}`: `to`/`client` for traffic the resource
//   sent to the peer, `from`/`server` for traffic it received from the peer (`side` is from the
//   spec text; the SDK's v1alpha1 Edge lacks it);
// - `window` is 30s and only samples inside it count, like a Prometheus rate window.
// Success and failure follow Linkerd's classification: a 5xx status, or no response at all, is
// a failure; anything else (a 403 denial included) is a success.

import { labelSelectorMatches, parseLabelSelector } from './labels.mjs';

const GROUP = 'metrics.smi-spec.io';
const VERSION = 'v1alpha1';
const API_VERSION = `${GROUP}/${VERSION}`;

/**
 * @typedef {{ uid?: string, name: string, namespace: string, labels: Record<string, string> }} PodRef
 * @typedef {{ at: number, source: PodRef, destination: PodRef, status: number, latencyMs: number }} Sample
 */

/**
 * Keeps what the sidecars saw, for the window.
 * @param {{ windowMs?: number, now?: () => number, maxSamples?: number }} [options]
 */
export function createTrafficRecorder(options = {}) {
  const windowMs = options.windowMs ?? 30_000;
  const now = options.now ?? Date.now;
  const maxSamples = options.maxSamples ?? 100_000;
  /** @type {Sample[]} */
  let samples = [];
  const prune = () => {
    const cutoff = now() - windowMs;
    if (samples.length && samples[0].at < cutoff) samples = samples.filter((s) => s.at >= cutoff);
    if (samples.length > maxSamples) samples = samples.slice(-maxSamples);
  };
  return {
    windowMs,
    /** @param {Omit<Sample, 'at'>} sample */
    record(sample) {
      samples.push({ ...sample, at: now() });
      prune();
    },
    /** @returns {Sample[]} */
    samples() {
      prune();
      return samples.slice();
    },
    reset() {
      samples = [];
    },
  };
}

/** @typedef {ReturnType<typeof createTrafficRecorder>} TrafficRecorder */

/** @param {any} pod @returns {PodRef} */
export function podRef(pod) {
  return {
    uid: pod.metadata?.uid,
    name: pod.metadata?.name,
    namespace: pod.metadata?.namespace,
    labels: { ...pod.metadata?.labels },
  };
}

/**
 * Which TrafficMetrics resources exist, how their members are found, and how a peer pod maps to a
 * peer resource of the same kind.
 * @param {any} store
 */
function kinds(store) {
  /** @type {(q: any) => any[]} */
  const list = (q) => {
    try {
      return store.list(q) ?? [];
    } catch {
      return [];
    }
  };
  const deployments = () => list({ group: 'apps', resource: 'deployments' });
  return {
    pods: {
      kind: 'Pod',
      namespaced: true,
      objects: () => list({ group: '', resource: 'pods' }),
      has: (/** @type {any} */ o, /** @type {PodRef} */ p) => o.metadata.namespace === p.namespace && o.metadata.name === p.name,
      peerOf: (/** @type {PodRef} */ p) => ({ kind: 'Pod', namespace: p.namespace, name: p.name }),
    },
    deployments: {
      kind: 'Deployment',
      namespaced: true,
      objects: deployments,
      has: (/** @type {any} */ o, /** @type {PodRef} */ p) =>
        o.metadata.namespace === p.namespace && labelSelectorMatches(o.spec?.selector, p.labels),
      peerOf: (/** @type {PodRef} */ p) => {
        const d = deployments().find((o) => o.metadata.namespace === p.namespace && labelSelectorMatches(o.spec?.selector, p.labels));
        return d ? { kind: 'Deployment', namespace: p.namespace, name: d.metadata.name } : undefined;
      },
    },
    namespaces: {
      kind: 'Namespace',
      namespaced: false,
      objects: () => list({ group: '', resource: 'namespaces' }),
      has: (/** @type {any} */ o, /** @type {PodRef} */ p) => o.metadata.name === p.namespace,
      peerOf: (/** @type {PodRef} */ p) => ({ kind: 'Namespace', name: p.namespace }),
    },
  };
}

/** Discovery entries for /apis/metrics.smi-spec.io/v1alpha1. */
const API_RESOURCES = Object.freeze(
  [
    ['namespaces', false],
    ['deployments', true],
    ['pods', true],
  ].flatMap(([name, namespaced]) => [
    { name, singularName: '', namespaced, kind: 'TrafficMetrics', verbs: ['get', 'list'] },
    { name: `${name}/edges`, singularName: '', namespaced, kind: 'TrafficMetricsList', verbs: ['get'] },
  ]),
);

/** The APIService a mesh registers for this API (as in the spec's "Kubernetes API" section). */
const API_SERVICE = Object.freeze({
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: `${VERSION}.${GROUP}` },
  spec: {
    group: GROUP,
    version: VERSION,
    service: { name: 'mesh-metrics', namespace: 'default' },
    groupPriorityMinimum: 100,
    versionPriority: 100,
    insecureSkipTLSVerify: true,
  },
  status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }] },
});

/**
 * @param {{ store: any, recorder: TrafficRecorder, rules?: { countAllTraffic?: boolean, listEdges?: boolean } }} deps
 *   rules: the `metrics-undercount` switch counts only every other call; `no-edges` lists no edges
 */
export function createMetricsApi({ store, recorder, rules = {} }) {
  const countAll = rules.countAllTraffic !== false;
  const listEdges = rules.listEdges !== false;
  /** @param {Sample[]} samples */
  const counted = (samples) => (countAll ? samples : samples.filter((_, i) => i % 2 === 1));
  const k = kinds(store);
  const window = `${Math.round(recorder.windowMs / 1000)}s`;

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {{ namespace?: string, resource?: string, name?: string, subresource?: string, query?: any }} [ctx]
   */
  function handle(req, res, ctx = {}) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return send(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    const parsed = parsePath(url.pathname, ctx);
    if (!parsed) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (parsed.discovery) {
      return send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: API_VERSION, resources: API_RESOURCES });
    }
    const spec = /** @type {any} */ (k)[parsed.resource];
    if (!spec) return send(res, 404, status(404, 'NotFound', `the server could not find the requested resource (${parsed.resource})`));

    let filter = (/** @type {any} */ _labels) => true;
    const selectorText = url.searchParams.get('labelSelector') ?? ctx.query?.labelSelector;
    if (selectorText) {
      try {
        filter = parseLabelSelector(String(selectorText));
      } catch (err) {
        return send(res, 400, status(400, 'BadRequest', `unable to parse requirement: ${/** @type {Error} */ (err).message}`));
      }
    }

    const samples = recorder.samples();
    const inScope = spec.objects().filter((/** @type {any} */ o) => !spec.namespaced || !parsed.namespace || o.metadata.namespace === parsed.namespace);
    const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const refOf = (/** @type {any} */ o) => ({ kind: spec.kind, ...(spec.namespaced ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name });

    if (!parsed.name) {
      const items = inScope
        .filter((/** @type {any} */ o) => filter(o.metadata.labels))
        .map((/** @type {any} */ o) => item(refOf(o), null, counted(samples.filter((s) => spec.has(o, s.destination))), timestamp));
      return send(res, 200, {
        kind: 'TrafficMetricsList',
        apiVersion: API_VERSION,
        metadata: { selfLink: selfLink(parsed.resource, parsed.namespace) },
        resource: { kind: spec.kind, ...(parsed.namespace ? { namespace: parsed.namespace } : {}) },
        items,
      });
    }

    const obj = inScope.find((/** @type {any} */ o) => o.metadata.name === parsed.name);
    if (!obj) {
      return send(res, 404, status(404, 'NotFound', `${parsed.resource} "${parsed.name}" not found`, { name: parsed.name, kind: parsed.resource }));
    }
    const ref = refOf(obj);
    if (!parsed.edges) return send(res, 200, item(ref, null, counted(samples.filter((s) => spec.has(obj, s.destination))), timestamp));

    // Edges: group the samples this resource sent (to) and received (from) by peer.
    /** @type {Map<string, { edge: any, samples: Sample[] }>} */
    const edges = new Map();
    const add = (/** @type {string} */ direction, /** @type {any} */ peer, /** @type {Sample} */ s) => {
      if (!peer) return;
      const key = `${direction}|${peer.namespace ?? ''}|${peer.name}`;
      if (!edges.has(key)) edges.set(key, { edge: { direction, side: direction === 'to' ? 'client' : 'server', resource: peer }, samples: [] });
      edges.get(key)?.samples.push(s);
    };
    for (const s of listEdges ? samples : []) {
      if (spec.has(obj, s.source)) add('to', spec.peerOf(s.destination), s);
      if (spec.has(obj, s.destination)) add('from', spec.peerOf(s.source), s);
    }
    const items = [...edges.values()]
      .filter((e) => filter(peerLabels(e.edge.resource)))
      .map((e) => item(ref, e.edge, counted(e.samples), timestamp));
    return send(res, 200, {
      kind: 'TrafficMetricsList',
      apiVersion: API_VERSION,
      metadata: { selfLink: `${uniqueSelfLink(ref, parsed.resource)}/edges` },
      resource: ref,
      items,
    });
  }

  /** Labels of an edge's peer, for `labelSelector` on edges. @param {any} peer */
  function peerLabels(peer) {
    const spec = Object.values(k).find((x) => x.kind === peer.kind);
    const o = spec?.objects().find((/** @type {any} */ x) => x.metadata.name === peer.name && (!peer.namespace || x.metadata.namespace === peer.namespace));
    return o?.metadata?.labels ?? {};
  }

  /**
   * @param {any} ref @param {any} edge @param {Sample[]} samples @param {string} timestamp
   */
  function item(ref, edge, samples, timestamp) {
    const resource = Object.entries(/** @type {any} */ (k)).find(([, v]) => v.kind === ref.kind)?.[0] ?? 'pods';
    const link = uniqueSelfLink(ref, resource);
    return {
      kind: 'TrafficMetrics',
      apiVersion: API_VERSION,
      metadata: {
        name: ref.name,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        selfLink: edge ? `${link}/edges` : link,
        creationTimestamp: timestamp,
      },
      timestamp,
      window,
      resource: ref,
      edge,
      metrics: metricsOf(samples),
    };
  }

  return {
    group: GROUP,
    version: VERSION,
    resources: API_RESOURCES.map((r) => ({ ...r, verbs: [...r.verbs] })),
    apiService: structuredClone(API_SERVICE),
    handle,
  };
}

/**
 * @param {string} pathname
 * @param {{ namespace?: string, resource?: string, name?: string, subresource?: string }} ctx
 * @returns {{ discovery: true } | { discovery?: false, namespace?: string, resource: string, name?: string, edges: boolean } | null}
 */
function parsePath(pathname, ctx) {
  const prefix = `/apis/${API_VERSION}`;
  const at = pathname.indexOf(prefix);
  if (at < 0) {
    // The caller routed without the full path: trust its parsed fields.
    if (!ctx.resource) return null;
    return { namespace: ctx.namespace, resource: ctx.resource, name: ctx.name, edges: ctx.subresource === 'edges' };
  }
  const seg = pathname
    .slice(at + prefix.length)
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  if (seg.length === 0) return { discovery: true };
  if (seg[0] === 'namespaces') {
    if (seg.length === 1) return { resource: 'namespaces', edges: false };
    if (seg.length === 2) return { resource: 'namespaces', name: seg[1], edges: false };
    if (seg.length === 3 && seg[2] === 'edges') return { resource: 'namespaces', name: seg[1], edges: true };
    if (seg.length > 5 || (seg.length === 5 && seg[4] !== 'edges')) return null;
    return { namespace: seg[1], resource: seg[2], name: seg[3], edges: seg[4] === 'edges' };
  }
  if (seg.length > 3 || (seg.length === 3 && seg[2] !== 'edges')) return null;
  return { resource: seg[0], name: seg[1], edges: seg[2] === 'edges' };
}

/** @param {Sample[]} samples */
function metricsOf(samples) {
  const failures = samples.filter((s) => !(s.status > 0 && s.status < 500)).length;
  const lat = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  // Nearest-rank percentile; 0 when there is no traffic (as the SDK's defaults).
  const pct = (/** @type {number} */ q) => (lat.length ? lat[Math.max(0, Math.ceil(q * lat.length) - 1)] : 0);
  return [
    { name: 'p99_response_latency', unit: 'ms', value: milliQuantity(pct(0.99)) },
    { name: 'p90_response_latency', unit: 'ms', value: milliQuantity(pct(0.9)) },
    { name: 'p50_response_latency', unit: 'ms', value: milliQuantity(pct(0.5)) },
    { name: 'success_count', value: quantity(samples.length - failures) },
    { name: 'failure_count', value: quantity(failures) },
  ];
}

const SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Canonical DecimalSI form of a whole number, as resource.Quantity prints it. @param {number} n */
export function quantity(n) {
  let v = Math.trunc(n);
  if (v === 0) return '0';
  let i = 0;
  while (i < SUFFIXES.length - 1 && v % 1000 === 0) {
    v /= 1000;
    i++;
  }
  return `${v}${SUFFIXES[i]}`;
}

/** The SDK's Metric.Set: NewMilliQuantity(int64(val*1000)). @param {number} value */
export function milliQuantity(value) {
  const m = Math.trunc(value * 1000);
  return m % 1000 === 0 ? quantity(m / 1000) : `${m}m`;
}

/**
 * Parses a quantity back to a number (for tests and callers): "2k" -> 2000, "1234m" -> 1.234.
 * @param {string | number} q
 */
export function parseQuantity(q) {
  if (typeof q === 'number') return q;
  const m = /^([+-]?\d+(?:\.\d+)?)(m|k|M|G|T|P|E)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const scale = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * scale;
}

/** @param {string} resource @param {string} [namespace] */
function selfLink(resource, namespace) {
  return namespace && resource !== 'namespaces'
    ? `/apis/${API_VERSION}/namespaces/${namespace}/${resource}`
    : `/apis/${API_VERSION}/${resource}`;
}

/** @param {{ namespace?: string, name: string }} ref @param {string} resource */
function uniqueSelfLink(ref, resource) {
  return ref.namespace ? `/apis/${API_VERSION}/namespaces/${ref.namespace}/${resource}/${ref.name}` : `/apis/${API_VERSION}/${resource}/${ref.name}`;
}

/** @param {number} code @param {string} reason @param {string} message @param {any} [details] */
function status(code, reason, message, details) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** @param {import('node:http').ServerResponse} res @param {number} code @param {unknown} body */
function send(res, code, body) {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}
