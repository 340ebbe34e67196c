import { sleep } from '../wait.js';
import { installStep, testedApiVersion } from './steps.js';
import { CheckFailed, type StepContext, type TestCase } from './test-case.js';
import { describeProbe, expectVerdict, sendProbes } from './traffic.js';
import { STANDARD_APPS } from './workloads.js';

/**
 * Traffic Metrics (metrics.smi-spec.io, an aggregated API, not a CRD): the API is served, and it
 * reports the test traffic for the workloads that sent and received it. Meshery had no test for
 * this spec; these steps follow traffic-metrics-v1alpha1.md.
 */

/** Calls per check; success_count must reach it. */
const METRICS_CALLS = 10;

/** Resources the suite reads; the spec lists more (nodes, jobs, ...), which meshes serve unevenly. */
const REQUIRED_RESOURCES = ['deployments', 'pods'];

interface TrafficMetrics {
  kind?: string;
  resource?: { kind?: string; name?: string; namespace?: string };
  edge?: { direction?: string; side?: string; resource?: { kind?: string; name?: string; namespace?: string } } | null;
  metrics?: { name: string; unit?: string; value: string | number }[];
}

/** A Kubernetes quantity ("50", "2k", "1234m") or a plain number, as a number. */
function quantityValue(v: string | number | undefined): number {
  if (typeof v === 'number') return v;
  const m = /^([+-]?\d+(?:\.\d+)?)(m|k|M|G|T|P|E)?$/.exec(String(v ?? '').trim());
  if (!m) return Number.NaN;
  const scale: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
  return Number(m[1]) * (m[2] ? scale[m[2]]! : 1);
}

const METRIC_NAMES = ['p99_response_latency', 'p90_response_latency', 'p50_response_latency', 'success_count', 'failure_count'];

function successCount(tm: TrafficMetrics, what: string): number {
  const names = (tm.metrics ?? []).map((m) => m.name);
  const missing = METRIC_NAMES.filter((n) => !names.includes(n));
  if (missing.length > 0) throw new CheckFailed(`${what} lacks the metrics ${missing.join(', ')} (it has ${names.join(', ') || 'none'})`);
  const value = tm.metrics!.find((m) => m.name === 'success_count')!.value;
  const n = quantityValue(value);
  if (!Number.isFinite(n)) throw new CheckFailed(`${what} success_count is not a quantity: ${JSON.stringify(value)}`);
  return n;
}

/** app-a calls app-b; every call must get through, or there is nothing for the metrics to count. */
async function sendTraffic(ctx: StepContext): Promise<void> {
  const results = await sendProbes(
    ctx,
    Array.from({ length: METRICS_CALLS }, () => ({ from: 'app-a' as const, service: 'app-b', path: '/echo' })),
  );
  for (const r of results) {
    try {
      expectVerdict(r, 'allowed');
    } catch (error) {
      throw new CheckFailed(`cannot make test traffic: ${(error as Error).message}`);
    }
  }
  ctx.note(`${METRICS_CALLS} × ${describeProbe(results[0]!)}`);
}

/** How long the count may take to catch up with the calls (a metrics pipeline scrapes at intervals). */
const SETTLE_MS = 5_000;

/**
 * Reads a success_count before and after METRICS_CALLS calls, and waits (bounded) until it has
 * risen by at least that many. Counting the rise, not the total, matters: the metrics window holds
 * the calls of earlier attempts too, so a mesh that counts only half of each call would otherwise
 * pass on the second attempt.
 */
async function countRises(ctx: StepContext, what: string, read: (what: string, optional: boolean) => Promise<number>): Promise<void> {
  await ctx.apps.reset(['app-a'], ctx.signal);
  const before = await read(what, true).catch((error: unknown) => {
    if (error instanceof CheckFailed) return 0;
    throw error;
  });
  await sendTraffic(ctx);
  const until = Date.now() + SETTLE_MS;
  let after = before;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    after = await read(what, false);
    if (after - before >= METRICS_CALLS) break;
    if (Date.now() + delay > until) {
      throw new CheckFailed(`${what}: success_count rose from ${before} to ${after} (by ${after - before}) after ${METRICS_CALLS} successful calls; expected a rise of at least ${METRICS_CALLS}`);
    }
    try {
      await sleep(delay, ctx.signal);
    } catch {
      throw new CheckFailed(`${what}: success_count rose by ${after - before} of ${METRICS_CALLS} before the step deadline`);
    }
  }
  ctx.note(`${what}: success_count ${before} → ${after}`);
}

async function readMetrics(ctx: StepContext, path: string): Promise<unknown> {
  const base = `/apis/${await testedApiVersion(ctx, 'TrafficMetrics')}`;
  const body = await ctx.kube.getJson(`${base}${path}`, ctx.signal);
  if (body === undefined) throw new CheckFailed(`GET ${base}${path}: not found`);
  return body;
}

export const trafficMetrics: TestCase = {
  spec: 'traffic-metrics',
  description: 'TrafficMetrics: the metrics.smi-spec.io API is served and reports the test traffic for the workloads that received and sent it.',
  reportedKind: 'TrafficMetrics',
  apps: STANDARD_APPS,
  steps: [
    {
      name: 'metricsApi',
      description: `discovery lists metrics.smi-spec.io at the version under test (served through an APIService), with TrafficMetrics for ${REQUIRED_RESOURCES.join(' and ')}`,
      check: async (ctx) => {
        const r = await ctx.versions.refresh('TrafficMetrics');
        if (!r.ok) throw new CheckFailed(`${r.reason}; a mesh serves it through an APIService such as v1alpha1.metrics.smi-spec.io`, { retry: false });
        ctx.note(`tests ${r.apiVersion}`);
        const list = (await ctx.kube.getJson<{ resources?: { name: string; kind: string }[] }>(`/apis/${r.apiVersion}`, ctx.signal)) ?? {};
        const served = (list.resources ?? []).filter((x) => x.kind === 'TrafficMetrics').map((x) => x.name);
        const missing = REQUIRED_RESOURCES.filter((n) => !served.includes(n));
        if (missing.length > 0) throw new CheckFailed(`/apis/${r.apiVersion} serves no TrafficMetrics for ${missing.join(', ')} (it lists ${served.join(', ') || 'nothing'})`);
      },
    },
    installStep(STANDARD_APPS, { allowFromAppA: ['service-b'] }),
    {
      name: 'trafficMetrics',
      description: `app-a calls app-b ${METRICS_CALLS} times; the TrafficMetrics of deployment app-b-deployment names it as its resource, has the five standard metrics, and its success_count rises by at least ${METRICS_CALLS}`,
      rule: 'the metrics API reports the traffic a workload received',
      check: (ctx) =>
        countRises(ctx, 'TrafficMetrics of deployment app-b-deployment', async (what) => {
          const tm = (await readMetrics(ctx, `/namespaces/${ctx.namespace}/deployments/app-b-deployment`)) as TrafficMetrics;
          if (tm.kind !== 'TrafficMetrics') throw new CheckFailed(`${what}: kind is ${JSON.stringify(tm.kind)}, expected TrafficMetrics`);
          if (tm.resource?.kind !== 'Deployment' || tm.resource.name !== 'app-b-deployment') {
            throw new CheckFailed(`${what}: resource is ${JSON.stringify(tm.resource)}, expected the Deployment app-b-deployment`);
          }
          return successCount(tm, what);
        }),
    },
    {
      name: 'trafficMetricsEdges',
      description: `app-a calls app-b ${METRICS_CALLS} times; the edges of deployment app-a-deployment include one to app-b-deployment (direction to) whose success_count rises by at least ${METRICS_CALLS}`,
      rule: 'the metrics API reports the traffic between two workloads as an edge',
      check: (ctx) =>
        countRises(ctx, 'edge app-a-deployment → app-b-deployment', async (what, optional) => {
          const list = (await readMetrics(ctx, `/namespaces/${ctx.namespace}/deployments/app-a-deployment/edges`)) as { items?: TrafficMetrics[] };
          const edges = list.items ?? [];
          const edge = edges.find((e) => e.edge?.direction === 'to' && e.edge.resource?.name === 'app-b-deployment');
          if (!edge) {
            if (optional) return 0; // before the traffic, an edge need not exist yet
            const seen = edges.map((e) => `${e.edge?.direction} ${e.edge?.resource?.kind}/${e.edge?.resource?.name}`).join(', ') || 'none';
            throw new CheckFailed(`the edges of app-a-deployment have no edge to app-b-deployment (edges: ${seen})`);
          }
          return successCount(edge, what);
        }),
    },
  ],
};
