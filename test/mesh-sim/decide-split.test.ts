// Traffic Split (split.smi-spec.io/v1alpha4): decide() against the examples of
// test/fixtures/smi-spec/traffic-split-v1alpha4.md.
import { describe, expect, it } from 'vitest';
import { decide, type DecideOptions, type World } from '../support/fake-cluster/mesh/decide.mjs';
import { mulberry32, roundRobinBalancer, randomBalancer } from '../support/fake-cluster/mesh/balance.mjs';
import { specObjects } from './spec-examples.js';
import { from, pod, service, world } from './helpers.js';

const FILE = 'traffic-split-v1alpha4.md';
// These tests are about routing; access control is the subject of decide-access.test.ts.
const OPEN = { mode: 'allow-by-default' } as const;

/** Sends n calls and counts the backend Service each went to. */
function tally(w: World, call: ReturnType<typeof from>, n: number, options: DecideOptions = {}) {
  const opts = { ...OPEN, balancer: roundRobinBalancer(mulberry32(7)), ...options };
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const d = decide(w, call, opts);
    const key = d.allowed ? d.backend!.service : d.outcome;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const client = pod('client-1', 'default', { app: 'client' }, 'client');
/** A Service and one pod per name; every pod also carries the shared app label. */
function app(base: string, versions: string[], ports: any[] = [9091]) {
  const objs: any[] = [service(base, 'default', { app: base }, ports)];
  for (const v of versions) {
    objs.push(service(`${base}-${v}`, 'default', { app: base, version: v }, ports));
    objs.push(pod(`${base}-${v}-pod`, 'default', { app: base, version: v }));
  }
  return objs;
}

describe('spec § Specification: canary', () => {
  const w = world(specObjects(FILE, 'Specification', 0), app('website', ['v1', 'v2']), client);
  const call = from(client, 'website.default.svc.cluster.local');

  it('routes 90% to website-v1 and 10% to website-v2 (smooth weighted round robin: exact)', () => {
    expect(tally(w, call, 100)).toEqual({ 'website-v1': 90, 'website-v2': 10 });
  });

  it('with a seeded random balancer, the shares are close to the weights', () => {
    const counts = tally(w, call, 2000, { balancer: randomBalancer(mulberry32(42)) });
    expect(counts['website-v1'] + counts['website-v2']).toBe(2000);
    expect(counts['website-v2']).toBeGreaterThan(140);
    expect(counts['website-v2']).toBeLessThan(260);
  });

  it('reports the split and the root service it applied to', () => {
    const d = decide(w, call, OPEN);
    expect(d.split).toEqual({ name: 'canary', namespace: 'default' });
    expect(d.service).toEqual({ name: 'website', namespace: 'default' });
    expect(['website-v1-pod', 'website-v2-pod']).toContain(d.pod.metadata.name);
  });

  it('applies only to clients with a sidecar (the split is client-side)', () => {
    const plain = { ...call, source: { ...call.source, meshed: false } };
    const counts = tally(w, plain, 10);
    expect(counts).toEqual({ website: 10 });
  });
});

describe('spec § Specification: A/B test', () => {
  const [split, rgAsWritten] = specObjects(FILE, 'Specification', 1);
  const firefox = { 'user-agent': 'Mozilla/5.0 Firefox/128.0' };

  it("as written, the HTTPRouteGroup's matches sit outside spec, so no request matches and all go to the root", () => {
    expect(rgAsWritten.spec).toBeUndefined();
    const w = world(split, rgAsWritten, app('website', ['v1', 'v2']), client);
    expect(tally(w, from(client, 'website', { headers: firefox }), 10)).toEqual({ website: 10 });
  });

  it('with matches under spec, Firefox users go to website-v2 and everyone else to the root service', () => {
    const rg = { ...rgAsWritten, spec: { matches: rgAsWritten.matches } };
    delete rg.matches;
    const w = world(split, rg, app('website', ['v1', 'v2']), client);
    expect(tally(w, from(client, 'website', { headers: firefox }), 10)).toEqual({ 'website-v2': 10 });
    const others = tally(w, from(client, 'website', { headers: { 'user-agent': 'curl/8' } }), 10);
    expect(others).toEqual({ website: 10 });
    const d = decide(w, from(client, 'website', { headers: { 'user-agent': 'curl/8' } }), OPEN);
    expect(d.split).toBeUndefined();
  });
});

describe('spec § Ports', () => {
  const [valid, invalid] = [specObjects(FILE, 'Ports', 0), specObjects(FILE, 'Ports', 1)];
  // The section defines Services only; the split over them is ours.
  const split = {
    kind: 'TrafficSplit',
    metadata: { name: 'birds-split', namespace: 'default' },
    spec: { service: 'birds', backends: [{ service: 'blue-birds', weight: 1 }, { service: 'green-birds', weight: 1 }] },
  };
  const birds = [pod('blue', 'default', { app: 'birds', color: 'blue' }), pod('green', 'default', { app: 'birds', color: 'green' })];

  it('valid: traffic for birds:8080 goes to both backends, and green-birds uses its targetPort 8081', () => {
    const w = world(valid, split, birds, client);
    const seen = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      const d = decide(w, from(client, 'birds', { port: 8080 }), { ...OPEN, balancer: roundRobinBalancer(mulberry32(i)) });
      seen.set(d.backend!.service, d.targetPort!);
    }
    expect(Object.fromEntries(seen)).toEqual({ 'blue-birds': 8080, 'green-birds': 8081 });
    expect(tally(w, from(client, 'birds', { port: 9090 }), 4)).toEqual({ 'blue-birds': 2, 'green-birds': 2 });
  });

  it('invalid: blue-birds has no port 8080, so it is left out and only green-birds gets birds:8080', () => {
    const w = world(invalid, split, birds, client);
    expect(tally(w, from(client, 'birds', { port: 8080 }), 6)).toEqual({ 'green-birds': 6 });
  });
});

describe('spec § Workflow: foobar-rollout', () => {
  const [step1, step2, step3] = [0, 1, 2].map((n) => specObjects(FILE, 'Workflow', n)[0]);
  const call = from(client, 'foobar');
  const v1 = [service('foobar', 'default', { app: 'foobar' }), service('foobar-v1', 'default', { app: 'foobar', version: 'v1' }), pod('foobar-v1-pod', 'default', { app: 'foobar', version: 'v1' })];
  const v2 = [service('foobar-v2', 'default', { app: 'foobar', version: 'v2' }), pod('foobar-v2-pod', 'default', { app: 'foobar', version: 'v2' })];

  it('weight 0 for a backend that does not exist yet: everything stays on foobar-v1', () => {
    expect(tally(world(step1, v1, client), call, 20)).toEqual({ 'foobar-v1': 20 });
  });
  it('once foobar-v2 exists, weight 0 still sends it nothing', () => {
    expect(tally(world(step1, v1, v2, client), call, 20)).toEqual({ 'foobar-v1': 20 });
  });
  it('weights 1000:500 send about 33% to foobar-v2 (exactly a third with round robin)', () => {
    expect(tally(world(step2, v1, v2, client), call, 30)).toEqual({ 'foobar-v1': 20, 'foobar-v2': 10 });
  });
  it('a single backend of weight 1 takes all the traffic', () => {
    expect(tally(world(step3, v1, v2, client), call, 20)).toEqual({ 'foobar-v2': 20 });
  });
});

describe('spec § Tradeoffs and § Example implementation', () => {
  it('a self-referential split sends 90% to the root service itself (not split again)', () => {
    const split = specObjects(FILE, 'Tradeoffs')[0];
    const w = world(split, service('foobar', 'default', { app: 'foobar' }), service('foobar-next', 'default', { app: 'foobar', track: 'next' }),
      pod('cur', 'default', { app: 'foobar', track: 'current' }), pod('next', 'default', { app: 'foobar', track: 'next' }), client);
    expect(tally(w, from(client, 'foobar'), 100)).toEqual({ foobar: 90, 'foobar-next': 10 });
  });

  it('my-canary: 10% to web-next and 90% to web-current', () => {
    const split = specObjects(FILE, 'Example implementation')[0];
    // app() makes the Services web, web-next and web-current, as the example names them.
    const w = world(split, app('web', ['next', 'current']), client);
    expect(tally(w, from(client, 'web'), 100)).toEqual({ 'web-next': 10, 'web-current': 90 });
  });
});

describe('split edge cases', () => {
  const base = app('svc', ['b', 'c']);
  const split = (b: number, c: number) => ({
    kind: 'TrafficSplit',
    metadata: { name: 's', namespace: 'default' },
    spec: { service: 'svc', backends: [{ service: 'svc-b', weight: b }, { service: 'svc-c', weight: c }] },
  });

  it('Meshery trafficOnlyB / trafficOnlyC: 50 calls, all on the weighted backend', () => {
    expect(tally(world(base, split(1, 0), client), from(client, 'svc'), 50)).toEqual({ 'svc-b': 50 });
    expect(tally(world(base, split(0, 1), client), from(client, 'svc'), 50)).toEqual({ 'svc-c': 50 });
  });

  it('Meshery trafficBGrtC / trafficCGrtB: 75:25 over 50 calls', () => {
    const bc = tally(world(base, split(75, 25), client), from(client, 'svc'), 50);
    expect(bc['svc-b']).toBeGreaterThan(bc['svc-c']);
    const cb = tally(world(base, split(25, 75), client), from(client, 'svc'), 50);
    expect(cb['svc-c']).toBeGreaterThan(cb['svc-b']);
  });

  it('no split: the root service balances over all its endpoints', () => {
    expect(tally(world(base, client), from(client, 'svc'), 50)).toEqual({ svc: 50 });
    const pods = new Set<string>();
    const opts = { ...OPEN, balancer: roundRobinBalancer(mulberry32(1)) };
    for (let i = 0; i < 4; i++) pods.add(decide(world(base, client), from(client, 'svc'), opts).pod.metadata.name);
    expect([...pods].sort()).toEqual(['svc-b-pod', 'svc-c-pod']);
  });

  it('every weight 0: nothing can take the traffic (503)', () => {
    const d = decide(world(base, split(0, 0), client), from(client, 'svc'), OPEN);
    expect(d).toMatchObject({ allowed: false, outcome: 'unavailable' });
  });

  it('accepts the root service written as an FQDN in spec.service', () => {
    const s = split(1, 0);
    s.spec.service = 'svc.default.svc.cluster.local';
    expect(tally(world(base, s, client), from(client, 'svc'), 5)).toEqual({ 'svc-b': 5 });
  });

  it('a split in another namespace does not apply', () => {
    const s = split(1, 0);
    s.metadata.namespace = 'other';
    expect(tally(world(base, s, client), from(client, 'svc'), 4)).toEqual({ svc: 4 });
  });

  it('a backend with no ready pod gets 503 no healthy upstream', () => {
    const w = world(base, split(1, 0), client);
    w.pods.find((p) => p.metadata.name === 'svc-b-pod')!.status.conditions[0].status = 'False';
    expect(decide(w, from(client, 'svc'), OPEN)).toMatchObject({ outcome: 'unavailable', backend: { service: 'svc-b' } });
  });
});
