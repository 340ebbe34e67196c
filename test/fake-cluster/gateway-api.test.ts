import { afterEach, describe, expect, it } from 'vitest';
import { loadGatewayApiInstall, startFakeCluster } from '../support/fake-cluster/index.mjs';
import { apiError, clients, type Cluster } from './clients.js';

// The fake serves the Gateway API v1.6.1 install manifests as a real 1.30+ API server does: the CRDs
// become Established with their bundle-version annotations, and the ValidatingAdmissionPolicy and
// Binding (admissionregistration.k8s.io/v1, GA in 1.30) are accepted, validated and defaulted. Before 1.30
// that API is not served, so the same manifests fail as they do on a real old cluster.

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function applyAll(c: ReturnType<typeof clients>, objects: any[]) {
  for (const obj of objects) await c.objects.create(structuredClone(obj));
}

describe('Gateway API install manifests on the fake cluster', () => {
  for (const channel of ['standard', 'experimental'] as const) {
    it(`${channel}: every CRD is Established, annotated v1.6.1/${channel}, and safe-upgrades is stored`, async () => {
      cluster = await startFakeCluster({ kubernetesVersion: 'v1.35.1' });
      const c = clients(cluster);
      const objects = loadGatewayApiInstall(channel);
      expect(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy')).toHaveLength(1);
      await applyAll(c, objects);
      const crds = (await c.ext.listCustomResourceDefinition()).items.filter((crd) => crd.spec.group.startsWith('gateway.networking'));
      expect(crds.length).toBe(objects.filter((o) => o.kind === 'CustomResourceDefinition').length);
      for (const crd of crds) {
        expect(crd.metadata?.annotations?.['gateway.networking.k8s.io/bundle-version']).toBe('v1.6.1');
        expect(crd.metadata?.annotations?.['gateway.networking.k8s.io/channel']).toBe(channel);
        expect(crd.status?.conditions?.find((x) => x.type === 'Established')?.status).toBe('True');
      }
      const vap = await c.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'safe-upgrades.gateway.networking.k8s.io' } });
      expect((vap as any).spec.matchConstraints.matchPolicy).toBe('Equivalent');
      const binding = await c.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'safe-upgrades.gateway.networking.k8s.io' } });
      expect((binding as any).spec.validationActions).toEqual(['Deny']);
      // HTTPRoutes attached to a Service are served (GAMMA's parentRef).
      await c.core.createNamespace({ body: { metadata: { name: 'mesh' } } });
      const route = await c.objects.create({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'r', namespace: 'mesh' },
        spec: { parentRefs: [{ group: '', kind: 'Service', name: 'echo', port: 80 }], rules: [{ backendRefs: [{ name: 'echo-v1', port: 80 }] }] },
      } as any);
      expect((route as any).spec.parentRefs[0].kind).toBe('Service');
    });
  }

  it('refuses an invalid policy and binding the way kube-apiserver does', async () => {
    cluster = await startFakeCluster({ kubernetesVersion: 'v1.30.0' });
    const c = clients(cluster);
    const policy = await apiError(c.objects.create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec: {} } as any));
    expect(policy.code).toBe(422);
    expect(JSON.stringify(policy.status)).toMatch(/spec\.matchConstraints/);
    expect(JSON.stringify(policy.status)).toMatch(/validations or auditAnnotations must contain at least one item/);
    const binding = await apiError(c.objects.create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Block'] } } as any));
    expect(binding.code).toBe(422);
    expect(JSON.stringify(binding.status)).toMatch(/Unsupported value: \\"Block\\"/);
  });

  it('Kubernetes 1.29 does not serve admissionregistration.k8s.io/v1 policies: the install fails there', async () => {
    cluster = await startFakeCluster({ kubernetesVersion: 'v1.29.4' });
    const c = clients(cluster);
    const vap = loadGatewayApiInstall('standard').find((o) => o.kind === 'ValidatingAdmissionPolicy');
    await expect(c.objects.create(structuredClone(vap))).rejects.toThrow(/ValidatingAdmissionPolicy|404|not found/i);
  });
});
