// The simulator never keys on the suite's object names or namespaces: rename every name,
// namespace, ServiceAccount, label and route-match name consistently, and every decision is the
// same, up to the renaming.
import { describe, expect, it } from 'vitest';
import { decide, type World } from '../support/fake-cluster/mesh/decide.mjs';
import { mulberry32, roundRobinBalancer } from '../support/fake-cluster/mesh/balance.mjs';
import { from, pod, service, trafficTarget, world } from './helpers.js';

// A world in the shape of the conformance suite's three specs, with its names.
function suiteWorld(): World {
  const ns = 'kudo-test-fancy-cat';
  return world(
    ...['a', 'b', 'c'].map((x) => pod(`app-${x}-deployment-7d9f-${x}x`, ns, { app: `app-${x}` }, `service-${x}`)),
    ...['a', 'b', 'c'].map((x) => service(`app-${x}`, ns, { app: `app-${x}` })),
    pod('app-b2-pod', ns, { app: 'app', version: 'b' }, 'service-b'),
    pod('app-c2-pod', ns, { app: 'app', version: 'c' }, 'service-c'),
    service('app-svc', ns, { app: 'app' }),
    service('app-b2', ns, { app: 'app', version: 'b' }),
    service('app-c2', ns, { app: 'app', version: 'c' }),
    { kind: 'TCPRoute', metadata: { name: 'service-tcp-route', namespace: ns }, spec: { matches: { ports: [] } } },
    { kind: 'HTTPRouteGroup', metadata: { name: 'http-rg', namespace: ns }, spec: { matches: [{ name: 'testMatch', pathRegex: '/metrics', methods: ['GET'] }] } },
    trafficTarget('service-targets', ns, 'service-b', ['service-a'], [{ kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['testMatch'] }]),
    trafficTarget('split-targets', ns, 'service-c', ['service-a'], [{ kind: 'TCPRoute', name: 'service-tcp-route' }]),
    { kind: 'TrafficSplit', metadata: { name: 'server-split', namespace: ns }, spec: { service: 'app-svc', backends: [{ service: 'app-b2', weight: 75 }, { service: 'app-c2', weight: 25 }] } },
  ) as World;
}

const NOT_NAMES = new Set(['ServiceAccount', 'TCPRoute', 'HTTPRouteGroup', 'TrafficTarget', 'TrafficSplit', 'Service', 'Pod', 'GET', 'True', 'Ready', 'Running', 'http', 'v1', 'layer5/learn-layer5:latest']);

/** Every identifier-like string in the world, mapped to a new name that sorts differently. */
function renaming(w: World): Map<string, string> {
  const ids = new Set<string>();
  const visit = (v: unknown, key?: string) => {
    if (typeof v === 'string') {
      if (!NOT_NAMES.has(v) && /^[a-zA-Z][\w-]*$/.test(v) && key !== 'apiVersion') ids.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => visit(x, key));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'labels' || k === 'selector') Object.keys(x as object).forEach((lk) => ids.add(lk));
        visit(x, k);
      }
    }
  };
  visit(w);
  const sorted = [...ids].sort();
  return new Map(sorted.map((id, i) => [id, `n${String(sorted.length - i).padStart(2, '0')}-${id.toLowerCase().split('').reverse().join('')}`]));
}

function applyRenaming(v: any, m: Map<string, string>): any {
  if (typeof v === 'string') return m.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => applyRenaming(x, m));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [m.get(k) ?? k, applyRenaming(x, m)]));
  }
  return v;
}

describe('renaming every object and namespace', () => {
  const original = suiteWorld();
  const m = renaming(original);
  const renamed = applyRenaming(original, m) as Required<World>;
  const renameHost = (host: string) => host.split('.').map((l) => m.get(l) ?? l).join('.');
  const ns = 'kudo-test-fancy-cat';
  const appA = original.pods[0];

  const calls = [
    { host: `app-b.${ns}.svc.cluster.local`, path: '/metrics', method: 'GET' },
    { host: `app-b.${ns}.svc.cluster.local`, path: '/echo', method: 'GET' },
    { host: `app-b.${ns}.svc.cluster.local`, path: '/metrics', method: 'POST' },
    { host: `app-c.${ns}`, path: '/echo', method: 'GET' },
    { host: 'app-a', path: '/echo', method: 'GET' },
    { host: `app-b.${ns}..svc.cluster.local.`, path: '/echo', method: 'GET' },
    ...Array.from({ length: 40 }, () => ({ host: `app-svc.${ns}.svc.cluster.local`, path: '/echo', method: 'GET' })),
  ];

  function run(w: World, source: any, mapHost: (h: string) => string) {
    const balancer = roundRobinBalancer(mulberry32(11));
    return calls.map((c) => {
      const d = decide(w, from(source, mapHost(c.host), { path: c.path, method: c.method }), { balancer });
      return { outcome: d.outcome, backend: d.backend?.service, pod: d.pod?.metadata.name };
    });
  }

  it('changes every name (the renaming is real)', () => {
    expect(renamed.pods[0].metadata.namespace).not.toBe(ns);
    expect(renamed.trafficTargets[0].spec.destination.name).not.toBe('service-b');
    expect(m.size).toBeGreaterThan(20);
  });

  it('makes the same decisions', () => {
    const before = run(original, appA, (h) => h);
    const after = run(renamed, renamed.pods[0], renameHost);
    const expected = before.map((d) => ({ outcome: d.outcome, backend: d.backend && m.get(d.backend), pod: d.pod && m.get(d.pod) }));
    expect(after).toEqual(expected);
    // And the decisions are not trivial: both outcomes and both split backends occur.
    expect(new Set(before.map((d) => d.outcome))).toEqual(new Set(['allowed', 'denied', 'dns-error']));
    expect(new Set(before.map((d) => d.backend).filter(Boolean))).toEqual(new Set(['app-b', 'app-c', 'app-a', 'app-b2', 'app-c2']));
  });
});
