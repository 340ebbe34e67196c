import type { KubernetesObject } from '@kubernetes/client-node';
import { subsetMismatch } from './subset.js';
import { CheckFailed, type Step, type StepContext } from './test-case.js';
import { SMI_KINDS, type SmiKind } from './versions.js';
import { sampleAppAsserts, sampleAppObjects, type SampleAppDef } from './workloads.js';

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

export const tcpRouteAllPorts = (apiVersion: string, namespace: string, name: string): KubernetesObject =>
  ({ apiVersion, kind: 'TCPRoute', metadata: { name, namespace }, spec: { matches: { ports: [] } } }) as KubernetesObject;

/** A TrafficTarget from one ServiceAccount to another, over the given rules (v1alpha3 shape: no destination.port). */
export function trafficTarget(
  apiVersion: string,
  namespace: string,
  name: string,
  from: string,
  to: string,
  rules: { kind: string; name: string; matches?: string[] }[],
): KubernetesObject {
  return {
    apiVersion,
    kind: 'TrafficTarget',
    metadata: { name, namespace },
    spec: {
      destination: { kind: 'ServiceAccount', name: to, namespace },
      rules,
      sources: [{ kind: 'ServiceAccount', name: from, namespace }],
    },
  } as KubernetesObject;
}

/**
 * Access scaffolding for specs that test something else (split, metrics): a TCPRoute for every port
 * and one TrafficTarget per destination from app-a's ServiceAccount, so that a deny-by-default mesh
 * lets the calls through and the spec measures its own rule, not access control. When the cluster
 * serves no TrafficTarget (Linkerd's SMI extension has only TrafficSplit), nothing is created and
 * the calls are expected to be allowed as they are.
 */
async function accessScaffolding(ctx: StepContext, destinations: string[]): Promise<KubernetesObject[]> {
  const tt = await ctx.versions.helperApiVersion('TrafficTarget');
  const route = await ctx.versions.helperApiVersion('TCPRoute');
  if ('error' in tt || 'error' in route) {
    ctx.note(`no TrafficTarget created (${'error' in tt ? tt.error : 'error' in route ? route.error : ''}); the calls must be allowed without one`);
    return [];
  }
  for (const note of [tt.note, route.note]) if (note) ctx.note(note);
  return [
    tcpRouteAllPorts(route.apiVersion, ctx.namespace, 'all-ports'),
    ...destinations.map((to) => trafficTarget(tt.apiVersion, ctx.namespace, `service-a-to-${to}`, 'service-a', to, [{ kind: 'TCPRoute', name: 'all-ports' }])),
  ];
}

/** Step 2 (Meshery's `02-install`): the sample apps, ready; plus extra objects (services, scaffolding). */
export function installStep(
  apps: readonly SampleAppDef[],
  options: { extraServices?: (namespace: string) => KubernetesObject[]; allowFromAppA?: string[]; description?: string } = {},
): Step {
  const extras = (ctx: StepContext) => options.extraServices?.(ctx.namespace) ?? [];
  const scaffolding = (ctx: StepContext) => (options.allowFromAppA ? accessScaffolding(ctx, options.allowFromAppA) : Promise.resolve([]));
  return {
    name: 'install',
    description:
      options.description ??
      `deploy ${apps.map((a) => a.name).join(', ')} (ServiceAccounts ${apps.map((a) => a.serviceAccount).join(', ')}, NodePort Services on 9091); every Deployment has a ready replica`,
    apply: async (ctx) => [...sampleAppObjects(apps, { namespace: ctx.namespace, image: ctx.sampleAppImage }, extras(ctx)), ...(await scaffolding(ctx))],
    assert: async (ctx) => [...sampleAppAsserts(apps, ctx.namespace, extras(ctx)), ...(await scaffolding(ctx))],
  };
}

