import { tcpRoute, trafficTarget } from './objects.js';
import { crdStep, installStep, testedApiVersion } from './steps.js';
import { CheckFailed, type StepContext, type TestCase } from './test-case.js';
import { describeProbe, expectVerdict, receivedFrom, sendProbes } from './traffic.js';
import { SAMPLE_APP_PORT, STANDARD_APPS } from './workloads.js';

/**
 * Traffic Access (access.smi-spec.io, TrafficTarget): traffic is denied by default; a TrafficTarget
 * allows its sources to reach its destination ServiceAccount over its routes; deleting it denies
 * again. Meshery's 7 steps (learn-layer5 `test-yamls/traffic-access`), with two fixes: the traffic
 * checks count, and step 5 also calls from app-c, whose ServiceAccount is not a source, so a mesh
 * that ignores `sources` fails.
 *
 * The rule is a TCPRoute, SMI's L4 rule ("This resource is used to describe L4 TCP traffic",
 * traffic-specs-v1alpha4.md; the kind of a rule follows "what traffic a target is serving",
 * traffic-access-v1alpha3.md). So this case serves L4 traffic: its Services declare their port
 * `appProtocol: tcp`, the Kubernetes field for a port's protocol, and a TrafficTarget whose only
 * rule is a TCPRoute for that port must admit the connection, whatever the application sends over
 * it. A mesh that ignores appProtocol and treats the port as HTTP must still admit it: a TCPRoute
 * admits the port, and nothing in the spec makes an HTTPRouteGroup a precondition of that (see
 * docs/smi.md, "What the TCPRoute case means").
 */

const objects = async (ctx: StepContext) => {
  const route = await ctx.versions.helperApiVersion('TCPRoute');
  if ('error' in route) throw new CheckFailed(route.error, { retry: false });
  if (route.note) ctx.note(route.note);
  return [
    tcpRoute(route.apiVersion, ctx.namespace, 'service-tcp-route'),
    trafficTarget(await testedApiVersion(ctx, 'TrafficTarget'), ctx.namespace, 'service-targets', 'service-a', 'service-b', [{ kind: 'TCPRoute', name: 'service-tcp-route' }], SAMPLE_APP_PORT),
  ];
};

async function expectAtoBDenied(ctx: StepContext): Promise<void> {
  await ctx.apps.reset(['app-a', 'app-b'], ctx.signal);
  const [r] = await sendProbes(ctx, [{ from: 'app-a', service: 'app-b', path: '/echo' }]);
  expectVerdict(r!, 'denied');
  const got = await receivedFrom(ctx, 'app-b', 'app-a');
  if (got > 0) throw new CheckFailed(`app-b received ${got} request(s) from app-a although the call was reported denied`);
  ctx.note(describeProbe(r!));
}

export const trafficAccess: TestCase = {
  spec: 'traffic-access',
  description: 'TrafficTarget: traffic is denied by default, allowed only from the sources and over the routes a TrafficTarget names, and denied again once it is deleted.',
  reportedKind: 'TrafficTarget',
  apps: STANDARD_APPS,
  steps: [
    crdStep('TrafficTarget'),
    installStep(STANDARD_APPS, { appProtocol: 'tcp' }),
    {
      name: 'trafficDefault',
      description: 'with no TrafficTarget, app-a calls app-b (GET /echo): the call is denied and app-b receives nothing',
      rule: 'traffic is denied by default (no TrafficTarget names app-b as a destination)',
      check: expectAtoBDenied,
    },
    {
      name: 'createTrafficTarget',
      description: 'create TCPRoute service-tcp-route (every port) and TrafficTarget service-targets: destination ServiceAccount service-b, source service-a, rule the TCPRoute; both read back as applied',
      apply: objects,
    },
    {
      name: 'trafficAllowed',
      description: 'app-a calls app-b (GET /echo): allowed, and app-b records app-a; app-c calls app-b: denied, since service-c is not a source',
      check: async (ctx) => {
        await ctx.apps.reset(['app-a', 'app-b', 'app-c'], ctx.signal);
        const [fromA] = await sendProbes(ctx, [{ from: 'app-a', service: 'app-b', path: '/echo' }]);
        try {
          expectVerdict(fromA!, 'allowed');
        } catch (error) {
          throw new CheckFailed(`a TrafficTarget allows its sources to reach its destination: ${(error as Error).message}`);
        }
        const got = await receivedFrom(ctx, 'app-b', 'app-a');
        if (got !== 1) throw new CheckFailed(`a TrafficTarget allows its sources to reach its destination: app-b recorded ${got} request(s) from app-a, expected 1`);
        const [fromC] = await sendProbes(ctx, [{ from: 'app-c', service: 'app-b', path: '/echo' }]);
        try {
          expectVerdict(fromC!, 'denied');
        } catch (error) {
          throw new CheckFailed(`a TrafficTarget admits only its sources (service-c is not one): ${(error as Error).message}`);
        }
        ctx.note(describeProbe(fromA!));
        ctx.note(describeProbe(fromC!));
      },
    },
    {
      name: 'deleteTrafficTarget',
      description: 'delete TrafficTarget service-targets and TCPRoute service-tcp-route, and wait until both are gone',
      delete: async (ctx) => (await objects(ctx)).map((o) => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, namespace: ctx.namespace })),
    },
    {
      name: 'trafficBlocked',
      description: 'app-a calls app-b again (GET /echo): denied, and app-b receives nothing',
      rule: 'deleting the TrafficTarget denies the traffic it allowed',
      check: expectAtoBDenied,
    },
  ],
};
