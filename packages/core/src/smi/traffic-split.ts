import { trafficSplit as trafficSplitObject } from './objects.js';
import { bothBackendsSampleSize, ERROR_BOUND, judgeUnequalWeights, zeroWeightSampleSize } from './split-sample.js';
import { crdStep, installStep, testedApiVersion } from './steps.js';
import { CheckFailed, type Step, type StepContext, type TestCase } from './test-case.js';
import { receivedFrom } from './traffic.js';
import { service, SPLIT_APPS } from './workloads.js';

/**
 * Traffic Split (split.smi-spec.io, TrafficSplit): calls to the root service are spread over the
 * backends in proportion to their weights, and a backend with weight 0 gets nothing. Meshery's 11
 * steps (learn-layer5 `test-yamls/traffic-split`): app-b and app-c both sit behind the root service
 * app-svc; app-a calls app-svc and app-b and app-c count what they received.
 * Fixed: the traffic checks count; app-a may reach both backends through a TrafficTarget, so a
 * deny-by-default mesh is tested on its split, not on access control; and the counts are judged
 * statistically (split-sample.ts). Each traffic check first polls small probes until the change
 * has taken effect (a mesh needs a moment to program its proxies), then judges one fixed sample,
 * once: a failed judgement fails the step at once, so a retry can never pass on luck.
 */

/** Calls per probe while waiting for a change to take effect. */
const PROBE_CALLS = 20;

const rootService = (namespace: string) => [service(namespace, 'app-svc', { app: 'app' })];

function splitStep(name: string, weights: Counts): Step {
  return {
    name,
    description: `apply TrafficSplit server-split: root service app-svc, backends app-b weight ${weights.b} and app-c weight ${weights.c}; it reads back as applied`,
    apply: async (ctx: StepContext) => [
      trafficSplitObject(await testedApiVersion(ctx, 'TrafficSplit'), ctx.namespace, 'server-split', 'app-svc', [
        { service: 'app-b', weight: weights.b },
        { service: 'app-c', weight: weights.c },
      ]),
    ],
  };
}

interface Counts {
  b: number;
  c: number;
}

/** app-a calls app-svc `calls` times; how many requests app-b and app-c received. */
async function distribute(ctx: StepContext, calls: number): Promise<Counts & { lost: number }> {
  await ctx.apps.reset(['app-a', 'app-b', 'app-c'], ctx.signal);
  const url = ctx.apps.url('app-svc', '/echo');
  for (let i = 0; i < calls; i++) await ctx.apps.call('app-a', { url, method: 'GET', signal: ctx.signal });
  const b = await receivedFrom(ctx, 'app-b', 'app-a');
  const c = await receivedFrom(ctx, 'app-c', 'app-a');
  return { b, c, lost: calls - b - c };
}

const describeCounts = (n: Counts & { lost: number }, calls: number) =>
  `of ${calls} calls to app-svc, app-b received ${n.b} and app-c ${n.c}${n.lost > 0 ? ` (${n.lost} reached neither)` : ''}`;

/** What a traffic check expects: whether a probe shows the change in effect, the sample size, and the judgement. */
interface Expectation {
  /** What "in effect" means, for the reason when it never is. */
  effect: string;
  inEffect(n: Counts & { lost: number }): boolean;
  n: number;
  /** The rule on the judged sample, in words (with the bound). */
  judged: string;
  holds(n: Counts & { lost: number }): boolean;
}

const bound = `each wrong verdict has probability < ${ERROR_BOUND}`;

function expectation(weights: Counts | undefined): Expectation {
  if (!weights) {
    const n = bothBackendsSampleSize();
    return {
      effect: 'every call reaches app-b or app-c',
      inEffect: (x) => x.lost === 0,
      n,
      judged: `of ${n} calls both app-b and app-c receive at least one (${bound}: a mesh balancing evenly misses one with probability 2·0.5^${n})`,
      holds: (x) => x.b >= 1 && x.c >= 1,
    };
  }
  if (weights.b === 0 || weights.c === 0) {
    const only = weights.b > 0 ? 'app-b' : 'app-c';
    const none = weights.b > 0 ? 'app-c' : 'app-b';
    const pick = (x: Counts) => (weights.b > 0 ? { yes: x.b, no: x.c } : { yes: x.c, no: x.b });
    const n = zeroWeightSampleSize();
    return {
      effect: `every call reaches ${only}`,
      inEffect: (x) => x.lost === 0 && pick(x).no === 0,
      n,
      judged: `${only} receives all ${n} calls and ${none} (weight 0) none (${bound}: a mesh that gives a weight-0 backend an even share passes with probability 0.5^${n})`,
      holds: (x) => pick(x).yes === n && pick(x).no === 0,
    };
  }
  const heavyIsB = weights.b > weights.c;
  const [heavy, light] = heavyIsB ? ['app-b', 'app-c'] : ['app-c', 'app-b'];
  const j = judgeUnequalWeights(Math.max(weights.b, weights.c), Math.min(weights.b, weights.c));
  const split = (x: Counts) => (heavyIsB ? { heavy: x.b, light: x.c } : { heavy: x.c, light: x.b });
  return {
    effect: `no call is lost and ${heavy} receives more than ${light}`,
    inEffect: (x) => x.lost === 0 && split(x).heavy > split(x).light && split(x).light > 0,
    n: j.n,
    judged:
      `of ${j.n} calls ${heavy} receives at least ${j.atLeast} and ${light} at least one ` +
      `(${bound}: a mesh honouring ${weights.b}:${weights.c} fails with probability ${j.faithfulFails.toExponential(1)}, one splitting evenly passes with probability ${j.evenPasses.toExponential(1)})`,
    holds: (x) => split(x).heavy >= j.atLeast && split(x).light >= 1,
  };
}

function trafficStep(name: string, weights: Counts | undefined, rule: string): Step {
  const e = expectation(weights);
  return {
    name,
    description: `${weights ? `with weights ${weights.b}:${weights.c}` : 'with no TrafficSplit'}, app-a calls app-svc in probes of ${PROBE_CALLS} until ${e.effect}; then one sample is judged, once: ${e.judged}`,
    rule,
    check: async (ctx) => {
      const probe = await distribute(ctx, PROBE_CALLS);
      if (!e.inEffect(probe)) throw new CheckFailed(`not in effect yet (${e.effect}): ${describeCounts(probe, PROBE_CALLS)}`);
      ctx.note(`in effect: ${describeCounts(probe, PROBE_CALLS)}`);
      const sample = await distribute(ctx, e.n);
      const seen = describeCounts(sample, e.n);
      if (!e.holds(sample)) throw new CheckFailed(`${seen}; expected ${e.judged}`, { retry: false });
      ctx.note(`judged: ${seen}`);
    },
  };
}

export const trafficSplit: TestCase = {
  spec: 'traffic-split',
  description: 'TrafficSplit: calls to the root service are spread over its backends in proportion to their weights; a backend with weight 0 receives nothing.',
  reportedKind: 'TrafficSplit',
  apps: SPLIT_APPS,
  steps: [
    crdStep('TrafficSplit'),
    installStep(SPLIT_APPS, {
      extraServices: rootService,
      allowFromAppA: ['service-app'],
      description:
        'deploy app-a (ServiceAccount service-a), app-b (app: app, version: b) and app-c (app: app, version: c), both with ServiceAccount service-app, Services app-a, app-b, app-c and the root service app-svc (selecting both b and c), and, when the cluster serves TrafficTarget, a TrafficTarget that lets service-a reach service-app over every port and every HTTP request',
    }),
    trafficStep('trafficDefault', undefined, 'without a TrafficSplit the root service balances over all its endpoints'),
    splitStep('splitOnlyB', { b: 1, c: 0 }),
    trafficStep('trafficOnlyB', { b: 1, c: 0 }, 'a TrafficSplit sends all traffic to the only backend with weight, none to a weight-0 backend'),
    splitStep('splitOnlyC', { b: 0, c: 1 }),
    trafficStep('trafficOnlyC', { b: 0, c: 1 }, 'a TrafficSplit sends all traffic to the only backend with weight, none to a weight-0 backend'),
    splitStep('splitBGrtC', { b: 75, c: 25 }),
    trafficStep('trafficBGrtC', { b: 75, c: 25 }, 'a TrafficSplit spreads traffic by weight'),
    splitStep('splitCGrtB', { b: 25, c: 75 }),
    trafficStep('trafficCGrtB', { b: 25, c: 75 }, 'a TrafficSplit spreads traffic by weight'),
  ],
};
