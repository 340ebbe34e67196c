import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startFakeCluster, loadSmiCrds } from '../support/fake-cluster/index.mjs';
import { apiError, clients, raw, type Cluster } from './clients.js';

let cluster: Cluster;
let c: ReturnType<typeof clients>;
const NS = 'crds';

/** A subset check like kuttl's: expected keys must exist and match; arrays must match element by element. */
function isSubset(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => isSubset(e, actual[i]));
  }
  if (expected && typeof expected === 'object') {
    return !!actual && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => isSubset(v, (actual as any)[k]));
  }
  return expected === actual;
}

beforeAll(async () => {
  cluster = await startFakeCluster({ crds: loadSmiCrds() });
  c = clients(cluster);
  await c.core.createNamespace({ body: { metadata: { name: NS } } });
});
afterAll(() => cluster?.close());

describe('the SMI CRDs', () => {
  it('are established with the accepted names Meshery asserts', async () => {
    const tt = await c.ext.readCustomResourceDefinition({ name: 'traffictargets.access.smi-spec.io' });
    expect(tt.status?.acceptedNames).toEqual({ kind: 'TrafficTarget', shortNames: ['tt'], plural: 'traffictargets', singular: 'traffictarget', listKind: 'TrafficTargetList' });
    expect(tt.status?.conditions?.find((x) => x.type === 'Established')?.status).toBe('True');
    expect(tt.status?.storedVersions).toEqual(['v1alpha3']);
    expect(tt.spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual(['v1alpha3']);
  });
});

describe('structural pruning', () => {
  it('drops unknown fields silently, and names them in Warning headers', async () => {
    const r = await raw(cluster, 'POST', `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits`, {
      apiVersion: 'split.smi-spec.io/v1alpha4',
      kind: 'TrafficSplit',
      metadata: { name: 'pruned', namespace: NS, unknownMeta: 1 },
      spec: { service: 'app-svc', backends: [{ service: 'app-b', weight: 1, extra: true }], bogus: 'x' },
      status: { anything: 1 },
      topLevel: 'gone',
    });
    expect(r.status).toBe(201);
    expect(r.body.spec).toEqual({ service: 'app-svc', backends: [{ service: 'app-b', weight: 1 }] });
    expect(r.body.status).toBeUndefined();
    expect(r.body.topLevel).toBeUndefined();
    expect(r.body.metadata.unknownMeta).toBeUndefined();
    const warnings = r.headers.get('warning') ?? '';
    for (const f of ['spec.backends[0].extra', 'spec.bogus', 'status', 'topLevel']) expect(warnings).toContain(`unknown field \\"${f}\\"`);
    const strict = await raw(cluster, 'POST', `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits?fieldValidation=Strict`, {
      apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'strict' }, spec: { service: 's', backends: [], bogus: 1 },
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec.bogus"');
  });

  it("loses the top-level `matches` of Meshery's traffic-spec HTTPRouteGroup, so its assertion fails as on a real server", async () => {
    // learn-layer5 smi-conformance/test-yamls/traffic-spec/03-install.yaml (smi.md 5.2 step 03): `matches` outside `spec`.
    const applied = {
      apiVersion: 'specs.smi-spec.io/v1alpha4',
      kind: 'HTTPRouteGroup',
      metadata: { name: 'http-rg', namespace: NS },
      matches: [{ name: 'testMatch', pathRegex: '/metrics', methods: ['*'] }],
    };
    const target = {
      apiVersion: 'access.smi-spec.io/v1alpha3',
      kind: 'TrafficTarget',
      metadata: { name: 'service-targets', namespace: NS },
      spec: {
        destination: { kind: 'ServiceAccount', name: 'service-b', namespace: NS, port: '9091' },
        rules: [{ kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['testMatch'] }],
        sources: [{ kind: 'ServiceAccount', name: 'service-a', namespace: NS }],
      },
    };
    await c.objects.create(applied);
    await c.objects.create(target);
    const liveRg = await c.objects.read(applied);
    const liveTt = await c.objects.read(target);
    expect((liveRg as any).matches).toBeUndefined();
    expect((liveTt as any).spec.destination.port).toBeUndefined();
    // The 03-assert step asserts the objects as applied; on a real (pruning) server it never passes.
    expect(isSubset(applied, liveRg)).toBe(false);
    expect(isSubset(target, liveTt)).toBe(false);
    // With `matches` under `spec` and without destination.port (the fix), the same assertion passes.
    const fixedRg = { ...applied, metadata: { name: 'http-rg-fixed', namespace: NS }, matches: undefined, spec: { matches: applied.matches } };
    delete (fixedRg as any).matches;
    await c.objects.create(fixedRg);
    expect(isSubset(fixedRg, await c.objects.read(fixedRg))).toBe(true);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields and applies schema defaults', async () => {
    // Raw JSON: client-node's typed models would drop `x-kubernetes-preserve-unknown-fields` and `default` written
    // under their JSON names (its V1JSONSchemaProps wants `x_kubernetes_preserve_unknown_fields` and `_default`).
    const created = await raw(cluster, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gadgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { kind: 'Gadget', plural: 'gadgets', shortNames: ['gd'] },
          versions: [{
            name: 'v1', served: true, storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', properties: {
              spec: { type: 'object', properties: { size: { type: 'integer', default: 3 }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            } } },
          }],
        },
    });
    expect(created.status).toBe(201);
    await cluster.idle();
    const g = (await c.objects.create({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: NS }, spec: { free: { a: { b: 1 } }, junk: 1 }, status: { ready: true } } as any)) as any;
    expect(g.spec).toEqual({ free: { a: { b: 1 } }, size: 3 });
    expect(g.status).toBeUndefined(); // status subresource: create ignores status
    const st = await raw(cluster, 'PUT', `/apis/example.com/v1/namespaces/${NS}/gadgets/g/status`, { ...g, spec: { size: 99 }, status: { ready: true } });
    expect(st.status).toBe(200);
    expect(st.body.status).toEqual({ ready: true });
    expect(st.body.spec.size).toBe(3);
    const discovery = (await raw(cluster, 'GET', '/apis/example.com/v1')).body.resources.map((r: any) => r.name);
    expect(discovery).toEqual(['gadgets', 'gadgets/status']);
  });
});

describe('schema validation', () => {
  it('answers a missing required field with 422 Invalid and a Status like a real server', async () => {
    const e = await apiError(
      c.objects.create({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'incomplete', namespace: NS }, spec: { destination: { kind: 'ServiceAccount', name: 'b' } } } as any),
    );
    expect(e.code).toBe(422);
    expect(e.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'TrafficTarget.access.smi-spec.io "incomplete" is invalid: [spec.rules: Required value, spec.sources: Required value]',
      reason: 'Invalid',
      details: {
        name: 'incomplete',
        group: 'access.smi-spec.io',
        kind: 'TrafficTarget',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.rules' },
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.sources' },
        ],
      },
      code: 422,
    });
  });

  it('rejects wrong types and values outside an enum', async () => {
    const e = await apiError(
      c.objects.create({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'typed', namespace: NS }, spec: { service: 7, backends: [{ service: 'b', weight: 'heavy' }] } } as any),
    );
    expect(e.code).toBe(422);
    expect(e.status.details.causes).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'spec.service', message: 'Invalid value: "integer": spec.service in body must be of type string: "integer"' },
      { reason: 'FieldValueTypeInvalid', field: 'spec.backends[0].weight', message: 'Invalid value: "string": spec.backends[0].weight in body must be of type number: "string"' },
    ]);
    const en = await apiError(
      c.objects.create({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'enum', namespace: NS }, spec: { destination: { kind: 'ServiceAccount', name: 'b' }, sources: [], rules: [{ kind: 'GRPCRoute', name: 'r' }] } } as any),
    );
    expect(en.status.message).toBe('TrafficTarget.access.smi-spec.io "enum" is invalid: spec.rules[0].kind: Unsupported value: "GRPCRoute": supported values: "HTTPRouteGroup", "TCPRoute", "UDPRoute"');
  });

  it('validates the CRD itself', async () => {
    const e = await apiError(
      c.ext.createCustomResourceDefinition({
        body: { metadata: { name: 'wrong.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Thing', plural: 'things' }, versions: [{ name: 'v1', served: true, storage: true }] } } as any,
      }),
    );
    expect(e.code).toBe(422);
    expect(e.status.details.causes.map((x: any) => x.field)).toEqual(['metadata.name', 'spec.versions[0].schema.openAPIV3Schema']);
  });

  it('leaves a CRD that serves only an old version unusable at the current one', async () => {
    const old = loadSmiCrds().find((x: any) => x.metadata.name === 'httproutegroups.specs.smi-spec.io');
    const legacy = structuredClone(old);
    legacy.metadata.name = 'httproutegroups.legacy.example.com';
    legacy.spec.group = 'legacy.example.com';
    legacy.spec.versions = legacy.spec.versions.map((v: any) => ({ ...v, served: v.name === 'v1alpha3', storage: v.name === 'v1alpha3' }));
    await c.ext.createCustomResourceDefinition({ body: legacy });
    await cluster.idle();
    await expect(c.objects.list('legacy.example.com/v1alpha4', 'HTTPRouteGroup', NS)).rejects.toThrow();
    const ok = await c.objects.list('legacy.example.com/v1alpha3', 'HTTPRouteGroup', NS);
    expect(ok.items).toEqual([]);
    const groups = await c.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.find((g) => g.name === 'legacy.example.com')?.versions.map((v) => v.version)).toEqual(['v1alpha3']);
  });
});
