import type { KubernetesObject } from '@kubernetes/client-node';
import { subsetMismatch } from './subset.js';
import { CheckFailed, type Step, type StepContext } from './test-case.js';
import { SMI_KINDS, type SmiKind } from './versions.js';
import { httpRouteGroup, MATCH_ALL, tcpRoute, trafficTarget, type SmiRef } from './objects.js';
import { labelSelector, SAMPLE_APP_IMAGE, SAMPLE_APP_PORT, sampleAppAsserts, sampleAppObjects, uniqueServiceAccounts, type SampleAppDef } from './workloads.js';

/** Steps and objects more than one spec uses. */

/** The apiVersion under test for a kind; a version the cluster does not serve fails the step at once. */
export async function testedApiVersion(ctx: StepContext, kind: SmiKind): Promise<string> {
  const r = await ctx.versions.resolve(kind);
  if (!r.ok) throw new CheckFailed(r.reason, { retry: false });
  return r.apiVersion;
}

/**
 * Step 1 of a CRD-backed spec (Meshery's `01-assert`): the CRD is installed, serves the version
 * under test, is Established, and accepts the names users type (kind, plural, singular, short
 * names). Meshery asserted with apiextensions.k8s.io/v1beta1, which Kubernetes 1.22 removed; this
 * reads v1. A missing CRD or version fails at once: the mesh was installed before the suite ran.
 */
export function crdStep(kind: SmiKind): Step {
  const info = SMI_KINDS[kind];
  return {
    name: 'crd',
    description: `CRD ${info.crd} is installed and Established, serves the ${info.group} version under test, and accepts the names ${info.acceptedNames?.kind}/${info.acceptedNames?.plural}/${info.acceptedNames?.shortNames?.join(',')}`,
    check: async (ctx) => {
      const r = await ctx.versions.refresh(kind);
      if (!r.ok) throw new CheckFailed(r.reason, { retry: false });
      ctx.note(`tests ${r.apiVersion}`);
      const crd = await ctx.kube.readCrd(info.crd!);
      if (!crd) throw new CheckFailed(`CRD ${info.crd} disappeared`);
      const established = crd.status?.conditions?.find((c) => c.type === 'Established');
      if (established?.status !== 'True') throw new CheckFailed(`CRD ${info.crd} is not Established yet${established?.message ? `: ${established.message}` : ''}`);
      const mismatch = subsetMismatch(info.acceptedNames, crd.status?.acceptedNames);
      if (mismatch) throw new CheckFailed(`CRD ${info.crd} status.acceptedNames: ${mismatch.replace(/^\(root\)/, '')}`);
    },
  };
}

/**
 * Access scaffolding for specs that test something else (split, metrics): one TrafficTarget per
 * destination from app-a's ServiceAccount, whose rules are a TCPRoute for every port and a
 * match-all HTTPRouteGroup, so that a deny-by-default mesh lets the calls through and the spec
 * measures its own rule, not access control. Both rules are needed: OSM admits HTTP on an HTTP
 * port only through HTTPRouteGroup rules (openservicemesh/osm v1.2.4
 * `pkg/catalog/inbound_traffic_policies.go`, `routesFromRules`), while a TCPRoute rule is what
 * admits the port at L4. When the cluster serves no TrafficTarget (Linkerd's SMI extension has only
 * TrafficSplit), nothing is created and the calls are expected to be allowed as they are.
 */
async function accessScaffolding(ctx: StepContext, destinations: string[]): Promise<KubernetesObject[]> {
  const tt = await ctx.versions.helperApiVersion('TrafficTarget');
  const route = await ctx.versions.helperApiVersion('TCPRoute');
  const group = await ctx.versions.helperApiVersion('HTTPRouteGroup');
  const missing = [tt, route, group].find((x): x is { error: string } => 'error' in x);
  if (missing) {
    ctx.note(`no TrafficTarget created (${missing.error}); the calls must be allowed without one`);
    return [];
  }
  const ok = [tt, route, group] as { apiVersion: string; note?: string }[];
  for (const x of ok) if (x.note) ctx.note(x.note);
  const rules: SmiRef[] = [
    { kind: 'TCPRoute', name: 'all-ports' },
    { kind: 'HTTPRouteGroup', name: 'all-requests', matches: [MATCH_ALL.name] },
  ];
  return [
    tcpRoute(ok[1]!.apiVersion, ctx.namespace, 'all-ports'),
    httpRouteGroup(ok[2]!.apiVersion, ctx.namespace, 'all-requests', [MATCH_ALL]),
    ...destinations.map((to) => trafficTarget(ok[0]!.apiVersion, ctx.namespace, `service-a-to-${to}`, 'service-a', to, rules, SAMPLE_APP_PORT)),
  ];
}

/** Waiting reasons that mean the kubelet cannot get the image: no wait mends them. */
const IMAGE_PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** Why an app's pod cannot start because its image cannot be pulled, or undefined. */
async function imagePullFailure(ctx: StepContext, apps: readonly SampleAppDef[]): Promise<string | undefined> {
  for (const app of apps) {
    const pods = await ctx.kube.listPods(ctx.namespace, labelSelector(app.podLabels));
    for (const pod of pods) {
      for (const status of pod.status?.containerStatuses ?? []) {
        const waiting = status.state?.waiting;
        if (!waiting?.reason || !IMAGE_PULL_FAILURES.has(waiting.reason)) continue;
        return (
          `the cluster cannot pull the sample app image ${status.image || ctx.sampleAppImage || SAMPLE_APP_IMAGE} for ${app.name} ` +
          `(${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}); this is not a result of the mesh. ` +
          'Set sample_app_image (--sample-app-image) to an image the cluster can pull, or make this one reachable'
        );
      }
    }
  }
  return undefined;
}

/** Step 2 (Meshery's `02-install`): the sample apps, ready; plus extra objects (services, scaffolding). */
export function installStep(
  apps: readonly SampleAppDef[],
  options: { extraServices?: (namespace: string) => KubernetesObject[]; allowFromAppA?: string[]; description?: string; appProtocol?: string } = {},
): Step {
  const extras = (ctx: StepContext) => options.extraServices?.(ctx.namespace) ?? [];
  const scaffolding = (ctx: StepContext) => (options.allowFromAppA ? accessScaffolding(ctx, options.allowFromAppA) : Promise.resolve([]));
  return {
    name: 'install',
    description:
      options.description ??
      `deploy ${apps.map((a) => a.name).join(', ')} (ServiceAccounts ${uniqueServiceAccounts(apps).join(', ')}, NodePort Services on 9091${options.appProtocol ? ` with appProtocol ${options.appProtocol}` : ''}); every Deployment has a ready replica`,
    apply: async (ctx) => [
      ...sampleAppObjects(apps, { namespace: ctx.namespace, image: ctx.sampleAppImage, mesh: ctx.mesh, appProtocol: options.appProtocol }, extras(ctx)),
      ...(await scaffolding(ctx)),
    ],
    assert: async (ctx) => [...sampleAppAsserts(apps, ctx.namespace, extras(ctx)), ...(await scaffolding(ctx))],
    blocked: (ctx) => imagePullFailure(ctx, apps),
  };
}

