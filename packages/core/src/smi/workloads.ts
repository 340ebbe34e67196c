import type { KubernetesObject } from '@kubernetes/client-node';
import type { MeshInfo } from '../mesh/registry.js';

/**
 * The sample workloads, as Meshery's suite deploys them (learn-layer5 `test-yamls/*\/02-install.yaml`):
 * three copies of the learn-layer5 sample app, app-a/b/c, each with its own ServiceAccount (the
 * identity SMI access rules name) and a NodePort Service on 9091. The app's `/call` makes app-a
 * call another app, `/echo` answers and records who called, `/metrics` reads or (DELETE) resets
 * what it recorded.
 */

/** learn-layer5's last tagged release (2022-01-03) of the sample app; tags are immutable releases. */
export const SAMPLE_APP_IMAGE = 'layer5/learn-layer5:v0.4.11';
export const SAMPLE_APP_PORT = 9091;

export type AppName = 'app-a' | 'app-b' | 'app-c';

export interface SampleAppDef {
  name: AppName;
  serviceAccount: string;
  /** Pod labels; the port-forward finds the app's pod with them. */
  podLabels: Record<string, string>;
}

const def = (name: AppName, podLabels: Record<string, string>, serviceAccount = `service-${name.slice(-1)}`): SampleAppDef => ({ name, serviceAccount, podLabels });

/** app-a, app-b, app-c, each selected by `app: <name>` (traffic-access, traffic-spec, traffic-metrics). */
export const STANDARD_APPS: readonly SampleAppDef[] = [def('app-a', { app: 'app-a' }), def('app-b', { app: 'app-b' }), def('app-c', { app: 'app-c' })];

/**
 * traffic-split's layout: app-b and app-c are two versions of one app (`app: app`), so the root
 * service app-svc selects both, and they share one ServiceAccount, as versions of one app do. One
 * identity behind the root service matters on Traefik Mesh in ACL mode: it builds one router per
 * (Service, TrafficTarget), each forwarding only to the pods of that TrafficTarget's destination
 * (traefik/mesh v1.4.8 `pkg/topology/builder.go` evaluateTrafficTarget, `pkg/provider/provider.go`
 * buildHTTPServicesAndRoutersForTrafficTarget), so with two identities every call to app-svc would
 * reach only one of them.
 */
export const SPLIT_APPS: readonly SampleAppDef[] = [
  def('app-a', { app: 'app-a' }),
  def('app-b', { app: 'app', version: 'b' }, 'service-app'),
  def('app-c', { app: 'app', version: 'c' }, 'service-app'),
];

/** The apps' ServiceAccounts, each once. */
export const uniqueServiceAccounts = (apps: readonly SampleAppDef[]): string[] => [...new Set(apps.map((a) => a.serviceAccount))];

export const labelSelector = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export interface WorkloadOptions {
  namespace: string;
  image?: string;
  /** The mesh under test: its pod-level injection markers go on each pod template. */
  mesh?: MeshInfo;
  /** The Services' `appProtocol` (traffic-access declares its port as `tcp`). */
  appProtocol?: string;
}

function serviceAccount(namespace: string, name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
}

/** One replica of the sample app; the overhead comparison's sample service (smp/overhead/) uses it too, without a ServiceAccount of its own. */
export function deployment(app: Pick<SampleAppDef, 'podLabels'> & { name: string; serviceAccount?: string }, options: WorkloadOptions): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${app.name}-deployment`, namespace: options.namespace, labels: app.podLabels },
    spec: {
      replicas: 1,
      selector: { matchLabels: app.podLabels },
      template: {
        metadata: { labels: app.podLabels, ...(options.mesh?.injection.podAnnotations ? { annotations: { ...options.mesh.injection.podAnnotations } } : {}) },
        spec: {
          ...(app.serviceAccount ? { serviceAccountName: app.serviceAccount } : {}),
          containers: [
            {
              name: 'app',
              image: options.image ?? SAMPLE_APP_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: SAMPLE_APP_PORT }],
              env: [
                { name: 'SERVICE_NAME', value: app.name },
                { name: 'PORT', value: String(SAMPLE_APP_PORT) },
              ],
            },
          ],
        },
      },
    },
  } as KubernetesObject;
}

/** A NodePort Service on 9091 (named `http`, so meshes that sniff by port name treat it as HTTP). */
export function service(namespace: string, name: string, selector: Record<string, string>, appProtocol?: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      type: 'NodePort',
      selector,
      ports: [{ name: 'http', port: SAMPLE_APP_PORT, targetPort: SAMPLE_APP_PORT, protocol: 'TCP', ...(appProtocol ? { appProtocol } : {}) }],
    },
  } as KubernetesObject;
}

/** Everything the apps need: service accounts, deployments, one service per app (plus extras). */
export function sampleAppObjects(apps: readonly SampleAppDef[], options: WorkloadOptions, extraServices: KubernetesObject[] = []): KubernetesObject[] {
  return [
    ...uniqueServiceAccounts(apps).map((sa) => serviceAccount(options.namespace, sa)),
    ...apps.map((a) => deployment(a, options)),
    ...apps.map((a) => service(options.namespace, a.name, a.podLabels, options.appProtocol)),
    ...extraServices,
  ];
}

/**
 * What "installed" means (Meshery's 02-assert): the service accounts exist, every deployment has
 * one ready replica, and the services select the right pods on 9091.
 */
export function sampleAppAsserts(apps: readonly SampleAppDef[], namespace: string, extraServices: KubernetesObject[] = []): KubernetesObject[] {
  return [
    ...uniqueServiceAccounts(apps).map((sa) => serviceAccount(namespace, sa)),
    ...apps.map(
      (a) =>
        ({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `${a.name}-deployment`, namespace },
          status: { readyReplicas: 1 },
        }) as KubernetesObject,
    ),
    ...[...apps.map((a) => service(namespace, a.name, a.podLabels)), ...extraServices].map(
      (s) =>
        ({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: s.metadata!.name, namespace },
          spec: { selector: (s as { spec: { selector: unknown } }).spec.selector, ports: [{ port: SAMPLE_APP_PORT, targetPort: SAMPLE_APP_PORT }] },
        }) as KubernetesObject,
    ),
  ];
}

/**
 * The host name app-a calls a service by: its cluster FQDN, which every mesh intercepts. Traefik
 * Mesh only routes names in its own domain (`<svc>.<ns>.traefik.mesh`), so it gets those.
 * (Meshery built `app-b.<ns>..svc.cluster.local.`, whose `..` made the name invalid.)
 */
export function serviceHost(mesh: MeshInfo, service: string, namespace: string): string {
  if (mesh.id === 'traefik_mesh') return `${service}.${namespace}.traefik.mesh`;
  return `${service}.${namespace}.svc.cluster.local`;
}
