import type { KubernetesObject } from '@kubernetes/client-node';
import { crdStep, installStep, testedApiVersion } from './steps.js';
import { CheckFailed, type Step, type StepContext, type TestCase } from './test-case.js';
import { receivedFrom } from './traffic.js';
import { service, SPLIT_APPS } from './workloads.js';

/**
 * Traffic Split (split.smi-spec.io, TrafficSplit): calls to the root service are spread over the
 * backends in proportion to their weights, and a backend with weight 0 gets nothing. Meshery's 11
 * steps (learn-layer5 `test-yamls/traffic-split`): app-b and app-c both sit behind the root service
 * app-svc; app-a calls app-svc 50 times and app-b and app-c count what they received.
 * Fixed: the traffic checks count, and app-a is allowed to reach both backends through a
 * TrafficTarget, so a deny-by-default mesh is tested on its split, not on access control.
 */

/** Calls per traffic check (Meshery's). Enough for 75/25 to show whatever the balancer does. */
const SPLIT_CALLS = 50;

const rootService = (namespace: string) => [service(namespace, 'app-svc', { app: 'app' })];

function splitStep(name: string, weights: { b: number; c: number }): Step {
  return {
    name,
    description: `apply TrafficSplit server-split: root service app-svc, backends app-b weight ${weights.b} and app-c weight ${weights.c}; it reads back as applied`,
    apply: async (ctx: StepContext) => [
      {
        apiVersion: await testedApiVersion(ctx, 'TrafficSplit'),
        kind: 'TrafficSplit',
        metadata: { name: 'server-split', namespace: ctx.namespace },
        spec: {
          service: 'app-svc',
          backends: [
            { service: 'app-b', weight: weights.b },
            { service: 'app-c', weight: weights.c },
          ],
        },
      } as KubernetesObject,
    ],
  };
}

/** app-a calls app-svc SPLIT_CALLS times; returns how many requests app-b and app-c received. */
async function distribute(ctx: StepContext): Promise<{ b: number; c: number; lost: number }> {
  await ctx.apps.reset(['app-a', 'app-b', 'app-c'], ctx.signal);
  const url = ctx.apps.url('app-svc', '/echo');
  for (let i = 0; i < SPLIT_CALLS; i++) await ctx.apps.call('app-a', { url, method: 'GET', signal: ctx.signal });
  const b = await receivedFrom(ctx, 'app-b', 'app-a');
  const c = await receivedFrom(ctx, 'app-c', 'app-a');
  return { b, c, lost: SPLIT_CALLS - b - c };
}

function trafficStep(name: string, description: string, rule: string, holds: (n: { b: number; c: number }) => boolean): Step {
  return {
    name,
    description,
    rule,
    check: async (ctx) => {
      const n = await distribute(ctx);
      const seen = `of ${SPLIT_CALLS} calls to app-svc, app-b received ${n.b} and app-c ${n.c}${n.lost > 0 ? ` (${n.lost} reached neither)` : ''}`;
      if (!holds(n)) throw new CheckFailed(seen);
      ctx.note(seen);
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
      allowFromAppA: ['service-b', 'service-c'],
      description:
        'deploy app-a, app-b (app: app, version: b) and app-c (app: app, version: c) with ServiceAccounts service-a/b/c, Services app-a, app-b, app-c and the root service app-svc (selecting both b and c), and, when the cluster serves TrafficTarget, TrafficTargets that let service-a reach service-b and service-c over every port',
    }),
    trafficStep('trafficDefault', `with no TrafficSplit, app-a calls app-svc ${SPLIT_CALLS} times: both app-b and app-c receive some`, 'without a TrafficSplit the root service balances over all its endpoints', (n) => n.b >= 1 && n.c >= 1),
    splitStep('splitOnlyB', { b: 1, c: 0 }),
    trafficStep('trafficOnlyB', `app-a calls app-svc ${SPLIT_CALLS} times: app-b receives all ${SPLIT_CALLS}, app-c none`, 'a TrafficSplit sends all traffic to the only backend with weight, none to a weight-0 backend', (n) => n.b === SPLIT_CALLS && n.c === 0),
    splitStep('splitOnlyC', { b: 0, c: 1 }),
    trafficStep('trafficOnlyC', `app-a calls app-svc ${SPLIT_CALLS} times: app-c receives all ${SPLIT_CALLS}, app-b none`, 'a TrafficSplit sends all traffic to the only backend with weight, none to a weight-0 backend', (n) => n.b === 0 && n.c === SPLIT_CALLS),
    splitStep('splitBGrtC', { b: 75, c: 25 }),
    trafficStep('trafficBGrtC', `app-a calls app-svc ${SPLIT_CALLS} times: app-b (weight 75) receives more than app-c (weight 25)`, 'a TrafficSplit spreads traffic by weight', (n) => n.b > n.c),
    splitStep('splitCGrtB', { b: 25, c: 75 }),
    trafficStep('trafficCGrtB', `app-a calls app-svc ${SPLIT_CALLS} times: app-c (weight 75) receives more than app-b (weight 25)`, 'a TrafficSplit spreads traffic by weight', (n) => n.c > n.b),
  ],
};
