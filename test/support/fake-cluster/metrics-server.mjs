// A fake metrics-server: the aggregated API metrics.k8s.io/v1beta1 (PodMetrics, NodeMetrics), as
// kubernetes-sigs/metrics-server v0.7 serves it (pkg/api/pod.go, pkg/api/node.go), from the fake
// cluster's store. Register it with `cluster.registerAggregatedApi(createMetricsServer({ store, ... }))`.
//
// Where it is faithful, because a client must cope with it:
// - Only Running pods, and in them only containers whose status is `running` (what the kubelet's
//   summary API and cAdvisor report): a pod that has not started, or has finished, is absent.
// - A pod appears only once it has been scraped: `firstScrapeAfterMs` (default 15 s, metrics-server's
//   default --metric-resolution) after its containers started. A short run may see none at all.
// - Usage is CPU in nanocores (`"12345678n"`) and memory in KiB (`"20480Ki"`), as metrics-server
//   formats resource.Quantity; `window` is the scrape interval; `timestamp` the scrape time.
// - A pod by name that is not (yet) measured is 404 NotFound, as metrics-server answers.
// What it is not: the values. `usage({ pod, container })` gives each container's CPU (millicores)
// and memory (MiB); the default is a fixed small figure per container.

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';

/**
 * @param {{ store: any, usage?: (c: { pod: any, container: string }) => { cpuMillicores: number, memoryMib: number },
 *   firstScrapeAfterMs?: number, windowS?: number, now?: () => number }} options
 */
export function createMetricsServer(options) {
  const { store } = options;
  const usage = options.usage ?? (() => ({ cpuMillicores: 1, memoryMib: 8 }));
  const firstScrapeAfterMs = options.firstScrapeAfterMs ?? 15_000;
  const windowS = options.windowS ?? 15;
  const now = options.now ?? Date.now;

  /** @param {any} pod */
  const podMetrics = (pod) => {
    if (pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp) return undefined;
    const running = (pod.status?.containerStatuses ?? []).filter((/** @type {any} */ s) => s.state?.running);
    if (running.length === 0) return undefined;
    const started = Math.min(...running.map((/** @type {any} */ s) => Date.parse(s.state.running.startedAt ?? '') || now()));
    if (now() - started < firstScrapeAfterMs) return undefined;
    return {
      kind: 'PodMetrics',
      apiVersion: `${GROUP}/${VERSION}`,
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: { ...(pod.metadata.labels ?? {}) }, creationTimestamp: new Date(now()).toISOString() },
      timestamp: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      window: `${windowS}s`,
      containers: running.map((/** @type {any} */ s) => {
        const u = usage({ pod, container: s.name });
        return { name: s.name, usage: { cpu: `${Math.round(u.cpuMillicores * 1e6)}n`, memory: `${Math.round(u.memoryMib * 1024)}Ki` } };
      }),
    };
  };

  /** @param {import('node:http').ServerResponse} res @param {number} code @param {any} body */
  const send = (res, code, body) => {
    const buf = Buffer.from(JSON.stringify(body));
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
    res.end(buf);
  };
  const notFound = (/** @type {string} */ what) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${what} not found`, reason: 'NotFound', code: 404 });

  return {
    group: GROUP,
    version: VERSION,
    resources: [
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    ],
    /**
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:http').ServerResponse} res
     * @param {{ namespace?: string, resource?: string, name?: string, subresource?: string }} ctx
     */
    handle(req, res, ctx) {
      if (req.method !== 'GET') return send(res, 405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405, message: 'the server does not allow this method on the requested resource' });
      if (ctx.resource !== 'pods' || ctx.subresource) return send(res, 404, notFound(`the server could not find the requested resource (${ctx.resource})`));
      const pods = store.list({ group: '', resource: 'pods', ...(ctx.namespace ? { namespace: ctx.namespace } : {}) }) ?? [];
      if (ctx.name) {
        const m = podMetrics(pods.find((/** @type {any} */ p) => p.metadata.name === ctx.name) ?? {});
        return m ? send(res, 200, m) : send(res, 404, notFound(`podmetrics.metrics.k8s.io "${ctx.name}"`));
      }
      const items = pods.map(podMetrics).filter(Boolean);
      return send(res, 200, { kind: 'PodMetricsList', apiVersion: `${GROUP}/${VERSION}`, metadata: {}, items });
    },
  };
}
