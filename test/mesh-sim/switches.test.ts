// Each switch breaks exactly one SMI rule: run one scenario per rule under the faithful mesh
// and under each switch, and check that exactly the scenarios of that switch's rule change.
import { describe, expect, it } from 'vitest';
import { decide } from '../support/fake-cluster/mesh/decide.mjs';
import { mulberry32, roundRobinBalancer } from '../support/fake-cluster/mesh/balance.mjs';
import { SWITCHES, MODES, describeSwitch, rulesFor } from '../support/fake-cluster/mesh/switches.mjs';
import { from, pod, service, trafficTarget, world } from './helpers.js';

// Access scenarios: b is reachable from a, for GET /metrics only; c has no TrafficTarget.
const a = pod('a', 'acl', { app: 'a' }, 'sa-a');
const intruder = pod('x', 'acl', { app: 'x' }, 'sa-x');
const aclWorld = world(
  a,
  intruder,
  pod('b', 'acl', { app: 'b' }, 'sa-b'),
  pod('c', 'acl', { app: 'c' }, 'sa-c'),
  service('b', 'acl', { app: 'b' }),
  service('c', 'acl', { app: 'c' }),
  { kind: 'HTTPRouteGroup', metadata: { name: 'rg', namespace: 'acl' }, spec: { matches: [{ name: 'm', pathRegex: '/metrics', methods: ['GET'] }] } },
  trafficTarget('tt', 'acl', 'sa-b', ['sa-a'], [{ kind: 'HTTPRouteGroup', name: 'rg', matches: ['m'] }]),
);

// Split scenarios: everything is allowed, so only routing is observed.
const client = pod('client', 'split', { app: 'client' }, 'sa-client');
const splitWorld = (wb: number, wc: number) =>
  world(
    client,
    pod('b', 'split', { app: 'app', v: 'b' }, 'sa-b'),
    pod('c', 'split', { app: 'app', v: 'c' }, 'sa-c'),
    service('root', 'split', { app: 'app' }),
    service('b', 'split', { app: 'app', v: 'b' }),
    service('c', 'split', { app: 'app', v: 'c' }),
    { kind: 'TCPRoute', metadata: { name: 'all', namespace: 'split' }, spec: { matches: { ports: [] } } },
    trafficTarget('to-b', 'split', 'sa-b', ['sa-client'], [{ kind: 'TCPRoute', name: 'all' }]),
    trafficTarget('to-c', 'split', 'sa-c', ['sa-client'], [{ kind: 'TCPRoute', name: 'all' }]),
    { kind: 'TrafficSplit', metadata: { name: 's', namespace: 'split' }, spec: { service: 'root', backends: [{ service: 'b', weight: wb }, { service: 'c', weight: wc }] } },
  );

function scenarios(mode: string): Record<string, string> {
  const once = (w: any, call: any) => decide(w, call, { mode }).outcome;
  const spread = (w: any) => {
    const balancer = roundRobinBalancer(mulberry32(3));
    const n: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const d = decide(w, from(client, 'root.split.svc.cluster.local'), { mode, balancer });
      const k = d.backend?.service ?? d.outcome;
      n[k] = (n[k] ?? 0) + 1;
    }
    return JSON.stringify(Object.fromEntries(Object.entries(n).sort()));
  };
  return {
    allowed: once(aclWorld, from(a, 'b', { path: '/metrics' })),
    'deny-by-default': once(aclWorld, from(a, 'c', { path: '/metrics' })),
    sources: once(aclWorld, from(intruder, 'b', { path: '/metrics' })),
    paths: once(aclWorld, from(a, 'b', { path: '/echo' })),
    methods: once(aclWorld, from(a, 'b', { path: '/metrics', method: 'POST' })),
    weights: spread(splitWorld(3, 1)),
    'zero-weight': spread(splitWorld(1, 0)),
  };
}

const EXPECTED_CHANGES: Record<string, string[]> = {
  'allow-by-default': ['deny-by-default', 'sources', 'paths', 'methods'],
  'ignore-traffictarget-sources': ['sources'],
  'ignore-httproutegroup-paths': ['paths'],
  'ignore-methods': ['methods'],
  'ignore-split-weights': ['weights'],
  'zero-weight-traffic': ['zero-weight'],
  'no-metrics-api': [],
  // The metrics switches change what the metrics API reports, never a routing decision.
  'metrics-undercount': [],
  'no-edges': [],
  'missing-crd': [],
  'old-crd-version': [],
};

describe('switches', () => {
  const faithful = scenarios('faithful');

  it('the faithful mesh enforces every rule', () => {
    expect(faithful).toEqual({
      allowed: 'allowed',
      'deny-by-default': 'denied',
      sources: 'denied',
      paths: 'denied',
      methods: 'denied',
      weights: JSON.stringify({ b: 30, c: 10 }),
      'zero-weight': JSON.stringify({ b: 40 }),
    });
  });

  it('lists at least the switches the issue asks for', () => {
    expect(SWITCHES).toEqual(expect.arrayContaining(Object.keys(EXPECTED_CHANGES)));
    expect(MODES[0]).toBe('faithful');
  });

  it.each(SWITCHES.map((s) => [s]))('%s changes exactly the decisions of its rule', (mode) => {
    const broken = scenarios(mode);
    const changed = Object.keys(faithful).filter((k) => faithful[k] !== broken[k]);
    expect(changed).toEqual(EXPECTED_CHANGES[mode]);
  });

  it('spreads evenly with ignore-split-weights, and feeds a zero-weight backend with zero-weight-traffic', () => {
    expect(scenarios('ignore-split-weights').weights).toBe(JSON.stringify({ b: 20, c: 20 }));
    expect(scenarios('zero-weight-traffic')['zero-weight']).toBe(JSON.stringify({ b: 20, c: 20 }));
  });

  it.each(SWITCHES.map((s) => [s]))('%s turns off exactly one rule flag and has a one-line description', (mode) => {
    const base = rulesFor('faithful');
    const r = rulesFor(mode);
    const off = Object.keys(base).filter((k) => (base as any)[k] !== (r as any)[k]);
    expect(off).toHaveLength(1);
    expect(describeSwitch(mode)).toMatch(/^[^\n]{20,200}$/);
  });

  it('rejects an unknown mode with the list of modes', () => {
    expect(() => rulesFor('nope')).toThrow(/faithful, allow-by-default/);
    expect(() => describeSwitch('nope')).toThrow(/unknown mesh mode/);
  });
});
