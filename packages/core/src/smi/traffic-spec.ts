import type { KubernetesObject } from '@kubernetes/client-node';
import { httpRouteGroup, trafficTarget } from './objects.js';
import { crdStep, installStep, testedApiVersion } from './steps.js';
import { CheckFailed, type StepContext, type TestCase } from './test-case.js';
import { describeProbe, expectVerdict, sendProbes, type ProbeResult } from './traffic.js';
import { SAMPLE_APP_PORT, STANDARD_APPS } from './workloads.js';

/**
 * Traffic Specs (specs.smi-spec.io, HTTPRouteGroup): a TrafficTarget rule that names an
 * HTTPRouteGroup match allows only the paths (anchored pathRegex) and methods of that match.
 * Meshery's 6 steps (learn-layer5 `test-yamls/traffic-spec`), fixed: `matches` sits under `spec`
 * (Meshery's top-level `matches` was pruned by the structural schema, so its assert failed), the
 * TrafficTarget has no `destination.port` (not in v1alpha3), and the traffic checks count.
 */

async function routeGroup(ctx: StepContext, match: { pathRegex: string; methods: string[] }): Promise<KubernetesObject> {
  return httpRouteGroup(await testedApiVersion(ctx, 'HTTPRouteGroup'), ctx.namespace, 'http-rg', [{ name: 'testMatch', ...match }]);
}

async function target(ctx: StepContext): Promise<KubernetesObject> {
  const tt = await ctx.versions.helperApiVersion('TrafficTarget');
  if ('error' in tt) throw new CheckFailed(tt.error, { retry: false });
  if (tt.note) ctx.note(tt.note);
  return trafficTarget(tt.apiVersion, ctx.namespace, 'service-targets', 'service-a', 'service-b', [
    { kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['testMatch'] },
  ], SAMPLE_APP_PORT);
}

/** Sends two calls from app-a to app-b and expects the first allowed and the second denied. */
async function allowedThenDenied(ctx: StepContext, allowed: { path: string; method: string }, denied: { path: string; method: string }, rule: string): Promise<void> {
  await ctx.apps.reset(['app-a'], ctx.signal);
  const results: ProbeResult[] = await sendProbes(ctx, [
    { from: 'app-a', service: 'app-b', ...allowed },
    { from: 'app-a', service: 'app-b', ...denied },
  ]);
  try {
    expectVerdict(results[0]!, 'allowed');
    expectVerdict(results[1]!, 'denied');
  } catch (error) {
    throw new CheckFailed(`${rule}: ${(error as Error).message}`);
  }
  for (const r of results) ctx.note(describeProbe(r));
}

export const trafficSpec: TestCase = {
  spec: 'traffic-spec',
  description: 'HTTPRouteGroup: a TrafficTarget rule that names an HTTPRouteGroup match allows only the paths and methods of that match.',
  reportedKind: 'HTTPRouteGroup',
  apps: STANDARD_APPS,
  steps: [
    crdStep('HTTPRouteGroup'),
    installStep(STANDARD_APPS),
    {
      name: 'createHttpRouteGroup',
      description: 'create HTTPRouteGroup http-rg (match testMatch: pathRegex /metrics, methods *) and TrafficTarget service-targets (service-a to service-b, rule http-rg/testMatch); both read back as applied',
      apply: async (ctx) => [await routeGroup(ctx, { pathRegex: '/metrics', methods: ['*'] }), await target(ctx)],
    },
    {
      name: 'trafficPath',
      description: 'app-a calls app-b: GET /metrics is allowed, GET /echo is denied (the pathRegex does not match it)',
      check: (ctx) =>
        allowedThenDenied(ctx, { path: '/metrics', method: 'GET' }, { path: '/echo', method: 'GET' }, 'an HTTPRouteGroup match allows only the paths its pathRegex matches'),
    },
    {
      name: 'updateHttpRouteGroup',
      description: 'update http-rg: match testMatch becomes pathRegex .*, methods GET; it reads back as applied',
      apply: async (ctx) => [await routeGroup(ctx, { pathRegex: '.*', methods: ['GET'] })],
    },
    {
      name: 'trafficMethod',
      description: 'app-a calls app-b: GET /echo is allowed, POST /echo is denied (the match allows only GET)',
      check: (ctx) => allowedThenDenied(ctx, { path: '/echo', method: 'GET' }, { path: '/echo', method: 'POST' }, 'an HTTPRouteGroup match allows only its methods'),
    },
  ],
};
