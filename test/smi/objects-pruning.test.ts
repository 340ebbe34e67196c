import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { httpRouteGroup, MATCH_ALL, tcpRoute, trafficSplit, trafficTarget } from '../../packages/core/src/smi/objects.js';
import { admitCustomResource } from '../support/fake-cluster/crds.mjs';

/**
 * Every object the suite writes survives pruning, unchanged, by every version of every SMI CRD we
 * hold: smi-sdk-go's (which serve every version) and each mesh's own copies at its pinned version
 * (test/fixtures/mesh-crds/); the suite writes no UDPRoute. kube-apiserver drops fields a version's structural schema does not
 * declare and rejects missing required ones; admitCustomResource does the same.
 */

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const folders = ['smi-crds', ...readdirSync(join(FIXTURES, 'mesh-crds')).map((d) => join('mesh-crds', d))];

interface Crd {
  metadata: { name: string };
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: unknown } }[] };
}

const crds: { folder: string; crd: Crd }[] = folders.flatMap((folder) =>
  readdirSync(join(FIXTURES, folder))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => (yaml.loadAll(readFileSync(join(FIXTURES, folder, f), 'utf8')) as Crd[]).filter((d) => d?.spec?.versions).map((crd) => ({ folder, crd }))),
);

/** What the suite writes of each kind, in one version's shape (the same builders and arguments as the specs). */
function written(kind: string, apiVersion: string) {
  const ns = 'meshspec-x';
  switch (kind) {
    case 'TrafficTarget':
      return [
        trafficTarget(apiVersion, ns, 'service-targets', 'service-a', 'service-b', [{ kind: 'TCPRoute', name: 'service-tcp-route' }], 9091),
        trafficTarget(apiVersion, ns, 'service-targets', 'service-a', 'service-b', [{ kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['testMatch'] }], 9091),
        trafficTarget(apiVersion, ns, 'service-a-to-service-app', 'service-a', 'service-app', [{ kind: 'TCPRoute', name: 'all-ports' }, { kind: 'HTTPRouteGroup', name: 'all-requests', matches: [MATCH_ALL.name] }], 9091),
      ];
    case 'HTTPRouteGroup':
      return [
        httpRouteGroup(apiVersion, ns, 'http-rg', [{ name: 'testMatch', pathRegex: '/metrics', methods: ['*'] }]),
        httpRouteGroup(apiVersion, ns, 'http-rg', [{ name: 'testMatch', pathRegex: '.*', methods: ['GET'] }]),
        httpRouteGroup(apiVersion, ns, 'all-requests', [MATCH_ALL]),
      ];
    case 'TCPRoute':
      return [tcpRoute(apiVersion, ns, 'all-ports')];
    case 'TrafficSplit':
      return [trafficSplit(apiVersion, ns, 'server-split', 'app-svc', [{ service: 'app-b', weight: 75 }, { service: 'app-c', weight: 25 }]), trafficSplit(apiVersion, ns, 'server-split', 'app-svc', [{ service: 'app-b', weight: 1 }, { service: 'app-c', weight: 0 }])];
    default:
      return [];
  }
}

describe('the objects the suite writes survive pruning unchanged', () => {
  const cases = crds.flatMap(({ folder, crd }) =>
    crd.spec.versions.filter((v) => v.schema && crd.spec.names.kind !== 'UDPRoute').map((v) => ({ folder, crd, version: v.name, served: v.served, schema: v.schema!.openAPIV3Schema })),
  );

  it('covers every kind the suite writes, in every served version of the meshes we pin', () => {
    const served = new Set(cases.filter((c) => c.served && c.folder.startsWith('mesh-crds')).map((c) => `${c.crd.spec.names.kind}/${c.version}`));
    expect([...served].sort()).toEqual([
      'HTTPRouteGroup/v1alpha3',
      'HTTPRouteGroup/v1alpha4',
      'TCPRoute/v1alpha3',
      'TCPRoute/v1alpha4',
      'TrafficSplit/v1alpha1',
      'TrafficSplit/v1alpha2',
      'TrafficSplit/v1alpha3',
      'TrafficTarget/v1alpha2',
      'TrafficTarget/v1alpha3',
    ]);
  });

  for (const c of cases) {
    it(`${c.folder} ${c.crd.spec.names.kind} ${c.version}${c.served ? '' : ' (not served)'}`, () => {
      const objects = written(c.crd.spec.names.kind, `${c.crd.spec.group}/${c.version}`);
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) {
        const admitted = admitCustomResource(structuredClone(o), c.schema);
        expect(admitted.causes, JSON.stringify(o)).toEqual([]);
        expect(admitted.unknownFields, JSON.stringify(o)).toEqual([]);
        expect(admitted.object).toEqual(o);
      }
    });
  }
});
