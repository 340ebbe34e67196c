import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { requireMesh } from '../../mesh/registry.js';
import type { SmpProfile, SmpClient } from '../profile.js';
import { delta, meshOverheadOf, type SideFigures } from './figures.js';
import { pairOrder } from './interleave.js';
import { addedContainers, cpuMillicores, footprint, memoryMib } from './resources.js';
import { parseServiceManifest, sampleServiceManifest, serviceObjectsFor } from './service-manifest.js';
import { OVERHEAD_NAMESPACES } from './sides.js';
import { assertComparableProfile } from './urls.js';

const linkerd = requireMesh('linkerd', 'test');
const consul = requireMesh('consul', 'test');
const istio = requireMesh('istio', 'test');

function client(urls: string[], internal = true): SmpClient {
  return { internal, load_generator: 'native', protocol: 1, connections: 2, rps: 100, headers: {}, cookies: {}, body: '', content_type: '', endpoint_urls: urls };
}
function profile(clients: SmpClient[]): SmpProfile {
  return { source: 'p.yaml', smp_version: 'v0.0.1', name: 't', labels: {}, duration: '5s', durationMs: 5000, clients, mesh: { type: 5, info: linkerd, labels: {}, annotations: {} } };
}

describe('the profile a comparison accepts', () => {
  it('accepts short service names on in-cluster clients', () => {
    expect(() => assertComparableProfile(profile([client(['http://sample-app:9091/echo', 'https://api:8443/x?q=1'])]), '--compare-without-mesh')).not.toThrow();
  });

  it('refuses runner load, naming the option and saying to set internal: true', () => {
    expect(() => assertComparableProfile(profile([client(['http://sample-app:9091/echo']), client(['http://a:1/'], false)]), 'input compare_without_mesh')).toThrow(
      /^input compare_without_mesh: p\.yaml: clients\[1\] loads from the runner.*port-forward.*Set internal: true on the clients/,
    );
  });

  it.each([
    ['http://sample-app.default:9091/echo', 'namespace-qualified'],
    ['http://sample-app.meshspec-overhead-meshed.svc.cluster.local:9091/', 'namespace-qualified or a full name'],
    ['http://10.96.0.10:9091/', 'an address'],
    ['http://[fd00::1]:9091/', 'an address'],
    ['http://localhost:9091/', 'the load pod itself'],
  ])('refuses %s, naming the client and URL in the profile', (url, why) => {
    expect(() => assertComparableProfile(profile([client(['http://ok:1/']), client(['http://ok:1/', url])]), '--compare-without-mesh')).toThrow(
      new RegExp(`^--compare-without-mesh: p\\.yaml: clients\\[1\\]\\.endpoint_urls\\[1\\] .*${why}.*short name, http://<service>:<port>/path`),
    );
  });

  it('redacts credentials in the URL it names', () => {
    expect(() => assertComparableProfile(profile([client(['http://user:hunter2@svc.ns:1/'])]), 'x')).toThrow(/^(?!.*hunter2)/s);
  });
});

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, resourceVersion: "42", uid: abc}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {keep: me}}
    spec:
      containers: [{name: web, image: nginx}]
      initContainers: [{name: init, image: busybox}]
status: {readyReplicas: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  clusterIP: 10.0.0.5
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
---
# an empty document is skipped
`;

describe('the service manifest', () => {
  it('copies every object into the side namespace, without what ties it to the live object', () => {
    const parsed = parseServiceManifest(MANIFEST, 'svc.yaml');
    const { objects, deployments, appContainers, notes } = serviceObjectsFor(parsed, 'meshed', OVERHEAD_NAMESPACES.meshed, linkerd, 'input service_manifest');
    expect(objects.map((o) => [o.kind, o.metadata?.namespace])).toEqual([['Deployment', 'meshspec-overhead-meshed'], ['Service', 'meshspec-overhead-meshed']]);
    const [d, s] = objects as Array<KubernetesObject & { spec: any; status?: unknown }>;
    expect(d!.metadata).not.toHaveProperty('resourceVersion');
    expect(d!.metadata).not.toHaveProperty('uid');
    expect(d!).not.toHaveProperty('status');
    expect(d!.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meshspec', 'meshspec.io/overhead-side': 'meshed' });
    // Linkerd injects by namespace: the pod template is left as it was.
    expect(d!.spec.template.metadata.annotations).toEqual({ keep: 'me' });
    expect(s!.spec).not.toHaveProperty('clusterIP');
    expect(s!.spec.ports).toEqual([{ port: 80 }]);
    expect(notes).toEqual(['Service web: its fixed nodePort is left out, so both copies can exist']);
    expect(deployments).toEqual(['web']);
    expect(appContainers).toEqual(['web', 'init']);
    // The source is not changed: the other side gets its own copy.
    expect(parsed[0]!.metadata?.namespace).toBe('shop');
  });

  it('puts pod-level markers on the pod templates: injection on the meshed side, opt-out on the plain one', () => {
    const parsed = parseServiceManifest(MANIFEST, 'svc.yaml');
    const meshed = serviceObjectsFor(parsed, 'meshed', 'm', consul, 'x').objects[0] as any;
    const plain = serviceObjectsFor(parsed, 'plain', 'p', consul, 'x').objects[0] as any;
    expect(meshed.spec.template.metadata.annotations).toEqual({ keep: 'me', 'consul.hashicorp.com/connect-inject': 'true' });
    expect(plain.spec.template.metadata.annotations).toEqual({ keep: 'me', 'consul.hashicorp.com/connect-inject': 'false' });
  });

  it.each([
    [`apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${MANIFEST}`, /^x: svc\.yaml: document 0: Namespace shop is cluster-scoped/],
    [`${MANIFEST}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n`, /^x: svc\.yaml: document 3: ClusterRole r is cluster-scoped/],
    [`${MANIFEST}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n`, /^x: svc\.yaml: document 3: kind Job is not applied by a comparison/],
    [`${MANIFEST}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: other}\n`, /^x: svc\.yaml: document 3: ConfigMap c is in namespace other, the others in shop/],
    [`apiVersion: v1\nkind: Service\nmetadata: {name: s}\n`, /^x: no Deployment/],
    [`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s}\n`, /^x: no Service/],
  ])('refuses a manifest it cannot copy (%#), naming the file and the document', (text, message) => {
    expect(() => serviceObjectsFor(parseServiceManifest(text, 'svc.yaml'), 'plain', 'p', linkerd, 'x')).toThrow(message);
  });

  it('names the file and document of a malformed one', () => {
    expect(() => parseServiceManifest('a: [', 'svc.yaml')).toThrow(/^svc\.yaml: not valid YAML/);
    expect(() => parseServiceManifest('---\n---\n- 1\n', 'svc.yaml')).toThrow(/^svc\.yaml: document 1: not a Kubernetes object/);
    expect(() => parseServiceManifest('kind: Service\napiVersion: v1\nmetadata: {}\n', 'svc.yaml')).toThrow(/^svc\.yaml: document 0: Service has no metadata\.name/);
  });

  it('the sample service is a Deployment (sample-app-deployment, named as the SMI suite names its apps) and a Service named sample-app, valid on every side', () => {
    const { deployments, appContainers } = serviceObjectsFor(sampleServiceManifest(), 'plain', 'p', istio, 'the sample service');
    expect(deployments).toEqual(['sample-app-deployment']);
    expect(appContainers).toEqual(['app']);
  });
});

describe('the overhead arithmetic', () => {
  const side = (ns: string, p50: number | null, p99: number | null, qps: number): SideFigures => ({ namespace: ns, p50_ms: p50, p90_ms: p50, p99_ms: p99, actual_qps: qps, requests: 100, errors: 0, result_file: 'f.json' });

  it('gives meshed − plain in the unit and in percent of plain', () => {
    expect(delta(2, 12)).toEqual({ change: 10, percent: 500 });
    expect(delta(1000, 950)).toEqual({ change: -50, percent: -5 });
    expect(delta(0.3333, 0.5)).toEqual({ change: 0.167, percent: 50.02 });
    expect(delta(0, 1)).toEqual({ change: 1, percent: null });
    expect(delta(null, 1)).toEqual({ change: null, percent: null });
  });

  it('keeps both sides, the deltas and why there is no footprint', () => {
    const o = meshOverheadOf({ plain: side('p', 1, 4, 500), meshed: side('m', 11, 20, 490) }, { mesh: 'Linkerd', meshType: 5, pairs: 3, resources: { unavailable: 'metrics-server is not installed' } });
    expect(o.deltas.p50_ms).toEqual({ change: 10, percent: 1000 });
    expect(o.deltas.p99_ms).toEqual({ change: 16, percent: 400 });
    expect(o.deltas.actual_qps).toEqual({ change: -10, percent: -2 });
    expect(o.resources).toBeNull();
    expect(o.resources_unavailable).toBe('metrics-server is not installed');
    expect(o.namespaces).toEqual({ plain: 'p', meshed: 'm' });
  });

  it('alternates the order of each pair', () => {
    expect([1, 2, 3, 4].map(pairOrder)).toEqual([['plain', 'meshed'], ['meshed', 'plain'], ['plain', 'meshed'], ['meshed', 'plain']]);
  });
});

describe('the footprint', () => {
  it('reads Kubernetes quantities', () => {
    expect(cpuMillicores('250m')).toBe(250);
    expect(cpuMillicores('2')).toBe(2000);
    expect(cpuMillicores('12500000n')).toBe(12.5);
    expect(cpuMillicores('1500u')).toBe(1.5);
    expect(memoryMib('64Mi')).toBe(64);
    expect(memoryMib('10240Ki')).toBe(10);
    expect(memoryMib('1Gi')).toBe(1024);
    expect(memoryMib('1048576')).toBe(1);
    expect(memoryMib('1M')).toBeCloseTo(0.954, 3);
    expect(cpuMillicores('lots')).toBeNaN();
  });

  it('is the mean and max of the per-sample sums, over samples that saw a container', () => {
    expect(footprint([{ cpu: 10, mem: 20, count: 2 }, { cpu: 30, mem: 22, count: 3 }, { cpu: 0, mem: 0, count: 0 }])).toEqual({
      count: 3,
      cpu_millicores: { mean: 20, max: 30 },
      memory_mib: { mean: 21, max: 22 },
    });
    expect(footprint([{ cpu: 0, mem: 0, count: 0 }])).toBeNull();
  });

  it('takes a sidecar to be any container the template did not ask for, native sidecars included', () => {
    const pod = {
      spec: {
        containers: [{ name: 'web' }, { name: 'linkerd-proxy' }, { name: 'load' }],
        initContainers: [{ name: 'init' }, { name: 'linkerd-init' }, { name: 'istio-proxy', restartPolicy: 'Always' }],
      },
    };
    expect(addedContainers(pod as any, ['web', 'init'])).toEqual(['linkerd-proxy', 'istio-proxy']);
    expect(addedContainers({ spec: { containers: [{ name: 'web' }] } } as any, ['web'])).toEqual([]);
  });
});
