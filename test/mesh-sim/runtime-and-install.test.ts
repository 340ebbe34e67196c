// The pod runtime, the CRDs the mesh installs per switch, and the control-plane manifests.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../support/fake-cluster/store.mjs';
import { createMeshSimulation, controlPlaneManifests, CONTROL_PLANE_IDS, SWITCHES } from '../support/fake-cluster/mesh/index.mjs';
import { isSampleAppImage } from '../support/fake-cluster/mesh/pod-runtime.mjs';
import { loadSmiCrds } from '../support/fake-cluster/crds.mjs';
import { controlPlane, isInjected } from '../support/fake-cluster/mesh/control-plane.mjs';
import { findMesh } from '../../packages/core/src/mesh/registry.js';

let sim: ReturnType<typeof createMeshSimulation> | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const podWith = (uid: string, image: string, env: any[] = [], ports: any[] = []) => ({
  metadata: { name: `p-${uid}`, namespace: 'n', uid, labels: {} },
  spec: { containers: [{ name: 'c', image, env, ports }] },
});

describe('pod runtime', () => {
  it.each([
    ['layer5/learn-layer5', true],
    ['layer5/learn-layer5:latest', true],
    ['docker.io/layer5/learn-layer5:v0.4.11', true],
    ['layer5/learn-layer5@sha256:0123abcd', true],
    ['ghcr.io/acme/meshspec/sample-app:1.0', true],
    ['meshspec/sample-app', true],
    ['layer5/learn-layer5:smi', false], // the conformance gRPC tool, not the app
    ['layer5/learn-layer5:smi-v0.4.11', false],
    ['nginx:1.27', false],
    ['layer5/learn-layer5-other', false],
  ])('%s is a sample app: %s', (image, yes) => expect(isSampleAppImage(image)).toBe(yes));

  it('starts a sample app or a generic server per pod uid, is idempotent, keeps logs, and stops', async () => {
    sim = createMeshSimulation({ store: new Store() });
    const app = podWith('u1', 'layer5/learn-layer5:latest', [{ name: 'SERVICE_NAME', value: 'app-x' }, { name: 'PORT', value: '9191' }]);
    const other = podWith('u2', 'nginx:1.27');
    const ep1 = await sim.podRuntime.start(app);
    expect(await sim.podRuntime.start(app)).toEqual(ep1);
    expect(ep1.host).toBe('127.0.0.1');
    expect(sim.podRuntime.logs(app)).toMatch(/^time="[^"]+" level=info msg="Started serving at: 9191"\n$/);

    const ep2 = await sim.podRuntime.start(other);
    const generic = await (await fetch(`http://127.0.0.1:${ep2.port}/healthz`)).json();
    expect(generic).toEqual({ pod: 'p-u2', namespace: 'n', method: 'GET', path: '/healthz' });
    expect(sim.podRuntime.logs(other)).toMatch(/GET \/healthz/);

    // The sample app's env SERVICE_NAME reaches /echo callers through the header.
    const echo = await fetch(`http://127.0.0.1:${ep1.port}/echo`, { headers: { ServiceName: 'x' } });
    expect(await echo.text()).toContain('Servicename: x');

    await sim.podRuntime.stop(app);
    await expect(fetch(`http://127.0.0.1:${ep1.port}/metrics`)).rejects.toThrow();
    expect(sim.podRuntime.logs(app)).toBe('');
    await sim.podRuntime.stop(app); // stopping twice is harmless
  });

  it('close() stops every server it started', async () => {
    sim = createMeshSimulation({ store: new Store() });
    const eps = await Promise.all(['a', 'b', 'c'].map((u) => sim!.podRuntime.start(podWith(u, 'meshspec/sample-app'))));
    await sim.close();
    sim = undefined;
    for (const ep of eps) await expect(fetch(`http://127.0.0.1:${ep.port}/metrics`)).rejects.toThrow();
  });
});

describe('SMI CRDs', () => {
  const names = (crds: any[]) => crds.map((c) => c.metadata.name).sort();
  const all = ['httproutegroups.specs.smi-spec.io', 'tcproutes.specs.smi-spec.io', 'trafficsplits.split.smi-spec.io', 'traffictargets.access.smi-spec.io', 'udproutes.specs.smi-spec.io'];
  const crdsFor = (mode: string) => createMeshSimulation({ store: new Store(), mode }).crdManifests();
  const served = (crd: any) => crd.spec.versions.filter((v: any) => v.served).map((v: any) => v.name);

  it('installs the real smi-sdk-go CRDs unchanged when faithful', () => {
    const crds = crdsFor('faithful');
    expect(names(crds)).toEqual(all);
    expect(crds).toEqual(loadSmiCrds());
    for (const c of crds) expect(c.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(served(crds.find((c) => c.spec.names.kind === 'TrafficTarget'))).toEqual(['v1alpha3']);
  });

  it('missing-crd leaves out exactly the TrafficSplit CRD', () => {
    expect(names(crdsFor('missing-crd'))).toEqual(all.filter((n) => !n.startsWith('trafficsplits')));
  });

  it('old-crd-version serves and stores only v1alpha2 of TrafficTarget, and changes nothing else', () => {
    const crds = crdsFor('old-crd-version');
    const tt = crds.find((c) => c.spec.names.kind === 'TrafficTarget');
    expect(tt.spec.versions.map((v: any) => [v.name, v.served, v.storage])).toEqual([['v1alpha2', true, true]]);
    expect(tt.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.destination.properties.port).toBeDefined();
    const faithful = crdsFor('faithful');
    expect(crds.filter((c) => c !== tt)).toEqual(faithful.filter((c) => c.spec.names.kind !== 'TrafficTarget'));
  });

  it.each(SWITCHES.filter((s) => s !== 'missing-crd' && s !== 'old-crd-version').map((s) => [s]))('%s installs the faithful CRDs', (mode) => {
    expect(crdsFor(mode)).toEqual(crdsFor('faithful'));
  });

  it('hands out copies', () => {
    const a = crdsFor('faithful');
    a[0].metadata.name = 'changed';
    expect(crdsFor('faithful')[0].metadata.name).not.toBe('changed');
  });
});

describe('control planes', () => {
  it.each(CONTROL_PLANE_IDS.map((id) => [id]))('%s: a namespace and Deployments whose image tag carries the version', (id) => {
    const objs = controlPlaneManifests(id, { version: '9.9.9' });
    const cp = controlPlane(id);
    expect(objs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toContain(cp.namespace);
    const deps = objs.filter((o) => o.kind === 'Deployment');
    expect(deps.length).toBeGreaterThan(0);
    const own = deps.filter((d) => d.metadata.namespace === cp.namespace);
    expect(own.length).toBeGreaterThan(0);
    for (const d of own) {
      expect(d.spec.template.spec.containers[0].image).toMatch(/:9\.9\.9$/);
      expect(d.metadata.labels['app.kubernetes.io/version']).toBe('9.9.9');
      // The selector must select the template's labels, or a controller would reject it.
      for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(d.spec.template.metadata.labels[k]).toBe(v);
    }
  });

  it('names the components as real installs do', () => {
    const dep = (id: string) => controlPlaneManifests(id).filter((o) => o.kind === 'Deployment').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(dep('osm')).toContain('osm-system/osm-controller');
    expect(dep('linkerd')).toEqual(expect.arrayContaining(['linkerd/linkerd-destination', 'linkerd-smi/smi-adaptor']));
    expect(dep('istio')).toEqual(['istio-system/istiod']);
    expect(dep('open_service_mesh')).toEqual(dep('osm'));
    expect(controlPlaneManifests('none')).toEqual([]);
    expect(() => controlPlaneManifests('nope')).toThrow(/no simulated control plane/);
  });

  it.each(CONTROL_PLANE_IDS.map((id) => [id]))('%s: injection markers agree with the mesh registry', (id) => {
    const info = findMesh(id)!;
    expect(info).toBeDefined();
    const cp = controlPlane(id);
    // Consul reads its marker on the pod only: the registry puts it on each pod template.
    const onPod = cp.markersOn === 'pod';
    expect(cp.injection.labels ?? {}).toEqual(info.injection.labels ?? {});
    expect(cp.injection.annotations ?? {}).toEqual((onPod ? info.injection.podAnnotations : info.injection.annotations) ?? {});
    if (onPod) expect(info.injection.annotations ?? {}).toEqual({});
  });

  it('injects a sidecar only with every marker, from namespace or pod', () => {
    const osm = controlPlane('osm');
    const ns = (labels: any, annotations: any) => ({ metadata: { name: 'n', labels, annotations } });
    const pod = (annotations: any = {}) => ({ metadata: { name: 'p', namespace: 'n', annotations } });
    expect(isInjected(osm, pod(), ns({ 'openservicemesh.io/monitored-by': 'osm' }, { 'openservicemesh.io/sidecar-injection': 'enabled' }))).toBe(true);
    expect(isInjected(osm, pod(), ns({ 'openservicemesh.io/monitored-by': 'osm' }, {}))).toBe(false);
    expect(isInjected(osm, pod({ 'openservicemesh.io/sidecar-injection': 'enabled' }), ns({ 'openservicemesh.io/monitored-by': 'osm' }, {}))).toBe(true);
    expect(isInjected(osm, pod({ 'openservicemesh.io/sidecar-injection': 'disabled' }), ns({ 'openservicemesh.io/monitored-by': 'osm' }, { 'openservicemesh.io/sidecar-injection': 'enabled' }))).toBe(false);
    expect(isInjected(controlPlane('traefik_mesh'), pod(), undefined)).toBe(true);
    expect(isInjected(null, pod(), undefined)).toBe(false);
  });
});
