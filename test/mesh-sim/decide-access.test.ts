// Traffic Access Control (access.smi-spec.io/v1alpha3): decide() against the examples of
// test/fixtures/smi-spec/traffic-access-v1alpha3.md, plus the shapes Meshery's suite applies.
import { describe, expect, it } from 'vitest';
import { decide } from '../support/fake-cluster/mesh/decide.mjs';
import { specObjects } from './spec-examples.js';
import { from, pod, service, trafficTarget, world } from './helpers.js';

const FILE = 'traffic-access-v1alpha3.md';

describe('deny by default', () => {
  const a = pod('a-1', 'default', { app: 'a' }, 'service-a');
  const b = pod('b-1', 'default', { app: 'b' }, 'service-b');
  const svcB = service('b', 'default', { app: 'b' });

  it('denies a call when no TrafficTarget names the destination', () => {
    const d = decide(world(a, b, svcB), from(a, 'b.default.svc.cluster.local', { path: '/echo' }));
    expect(d).toMatchObject({ allowed: false, outcome: 'denied', backend: { service: 'b', namespace: 'default' } });
    expect(d.reason).toMatch(/denies traffic by default/);
    expect(d.pod?.metadata.name).toBe('b-1');
  });

  it('allows it once a TrafficTarget with a TCPRoute (ports: []) names source and destination, and denies it again without', () => {
    const route = { kind: 'TCPRoute', metadata: { name: 'tcp', namespace: 'default' }, spec: { matches: { ports: [] } } };
    const tt = trafficTarget('tt', 'default', 'service-b', ['service-a'], [{ kind: 'TCPRoute', name: 'tcp' }]);
    const call = from(a, 'b.default.svc.cluster.local', { path: '/echo' });
    expect(decide(world(a, b, svcB, route, tt), call)).toMatchObject({ allowed: true, outcome: 'allowed', trafficTarget: { name: 'tt' } });
    expect(decide(world(a, b, svcB, route), call).allowed).toBe(false);
  });

  it('ignores a TrafficTarget that lives in another namespace than its destination', () => {
    const route = { kind: 'TCPRoute', metadata: { name: 'tcp', namespace: 'elsewhere' }, spec: { matches: { ports: [] } } };
    const tt = trafficTarget('tt', 'elsewhere', 'service-b', ['service-a'], [{ kind: 'TCPRoute', name: 'tcp' }]);
    tt.spec.destination.namespace = 'default';
    tt.spec.sources[0].namespace = 'default';
    expect(decide(world(a, b, svcB, route, tt), from(a, 'b.default')).allowed).toBe(false);
  });

  it('allows nothing through a TrafficTarget without TCP or HTTP rules, or whose route does not exist', () => {
    const noRules = trafficTarget('tt', 'default', 'service-b', ['service-a'], []);
    expect(decide(world(a, b, svcB, noRules), from(a, 'b')).allowed).toBe(false);
    const dangling = trafficTarget('tt', 'default', 'service-b', ['service-a'], [{ kind: 'HTTPRouteGroup', name: 'missing' }]);
    expect(decide(world(a, b, svcB, dangling), from(a, 'b')).allowed).toBe(false);
  });

  it('treats a pod without serviceAccountName as the default ServiceAccount', () => {
    const anon = pod('anon', 'default', { app: 'x' });
    delete (anon.spec as any).serviceAccountName;
    const route = { kind: 'TCPRoute', metadata: { name: 'tcp', namespace: 'default' }, spec: { matches: { ports: [] } } };
    const tt = trafficTarget('tt', 'default', 'service-b', ['default'], [{ kind: 'TCPRoute', name: 'tcp' }]);
    expect(decide(world(anon, b, svcB, route, tt), from(anon, 'b')).allowed).toBe(true);
  });
});

describe('spec § TrafficTarget (path-specific)', () => {
  // "This example selects all the pods which have the service-a ServiceAccount. Traffic destined
  // on a path /metrics is allowed." The rule names only the `metrics` match of the group.
  const objects = specObjects(FILE, 'TrafficTarget');
  const target = pod('a-1', 'default', { app: 'a' }, 'service-a');
  const prometheus = pod('prom-1', 'default', { app: 'prometheus' }, 'prometheus');
  const other = pod('other-1', 'default', { app: 'other' }, 'other');
  const w = world(objects, target, prometheus, other, service('a', 'default', { app: 'a' }, [8080, 9090]));
  const call = (p: any, path: string, method = 'GET', port = 8080) => decide(w, from(p, 'a', { path, method, port }));

  it('parses the routes and the TrafficTarget from the spec', () => {
    expect(objects.map((o) => o.kind)).toEqual(['TCPRoute', 'HTTPRouteGroup', 'TrafficTarget']);
  });
  it('allows prometheus GET /metrics on port 8080', () => expect(call(prometheus, '/metrics').allowed).toBe(true));
  it('denies other paths: the rule selects only the `metrics` match, not `everything`', () =>
    expect(call(prometheus, '/api').allowed).toBe(false));
  it('denies methods the match does not list', () => expect(call(prometheus, '/metrics', 'POST').allowed).toBe(false));
  it('denies a port the TCPRoute does not list', () => expect(call(prometheus, '/metrics', 'GET', 9090).allowed).toBe(false));
  it('denies a source that is not listed', () => {
    const d = call(other, '/metrics');
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/does not list ServiceAccount default\/other in its sources/);
  });
});

describe('spec § Example implementation for L7', () => {
  const objects = specObjects(FILE, 'Example implementation for L7');
  const api = pod('api-1', 'default', { app: 'api' }, 'api-service');
  const clients = {
    'website-service': pod('website-1', 'default', { app: 'website' }, 'website-service'),
    'payments-service': pod('payment-1', 'default', { app: 'payment' }, 'payments-service'),
    prometheus: pod('prometheus-1', 'default', { app: 'prometheus' }, 'prometheus'),
  };
  const w = world(objects, api, Object.values(clients), service('api', 'default', { app: 'api' }, [8080]));
  const allowed = (source: keyof typeof clients, path: string, method: string) =>
    decide(w, from(clients[source], 'api.default.svc.cluster.local', { port: 8080, path, method })).allowed;

  // The spec's table of allowed traffic, row by row.
  it.each([
    ['website-service', '/api', 'GET'],
    ['website-service', '/api', 'DELETE'],
    ['payments-service', '/api', 'POST'],
    ['prometheus', '/metrics', 'GET'],
  ] as const)('allows %s -> api-service %s %s', (source, path, method) => expect(allowed(source, path, method)).toBe(true));

  it.each([
    ['website-service', '/metrics', 'GET'],
    ['payments-service', '/metrics', 'GET'],
    ['prometheus', '/api', 'GET'],
    ['prometheus', '/metrics', 'POST'],
    ['website-service', '/v1/api', 'GET'], // pathRegex is anchored at the start of the URI
  ] as const)('denies %s -> api-service %s %s', (source, path, method) => expect(allowed(source, path, method)).toBe(false));

  it('anchors pathRegex at the beginning only: /api matches /api/users', () => expect(allowed('website-service', '/api/users', 'GET')).toBe(true));
  it('matches the path without its query string', () => expect(allowed('prometheus', '/metrics?x=/api', 'GET')).toBe(true));
});

describe('spec § Example implementation for L4', () => {
  // "the above configuration will allow TCP and UDP traffic to both 8301 and 8302 ports, but
  // will block UDP traffic to 8300". The simulated calls are HTTP over TCP.
  const objects = specObjects(FILE, 'Example implementation for L4');
  const server = pod('server-1', 'default', { app: 'server' }, 'server');
  const client = pod('client-1', 'default', { app: 'client' }, 'client');
  const stranger = pod('stranger-1', 'default', { app: 'stranger' }, 'stranger');
  const w = world(objects, server, client, stranger, service('server', 'default', { app: 'server' }, [8300, 8301, 8302, 8303]));

  it.each([8300, 8301, 8302])('allows TCP from client to port %i', (port) =>
    expect(decide(w, from(client, 'server', { port })).allowed).toBe(true));
  it('denies a TCP port no TCPRoute lists', () => expect(decide(w, from(client, 'server', { port: 8303 })).allowed).toBe(false));
  it('denies a source that is not listed', () => expect(decide(w, from(stranger, 'server', { port: 8301 })).allowed).toBe(false));
  it('never lets a UDPRoute admit TCP traffic', () => {
    const udpOnly = structuredClone(objects);
    const tt = udpOnly.find((o) => o.kind === 'TrafficTarget');
    tt.spec.rules = tt.spec.rules.filter((r: any) => r.kind === 'UDPRoute');
    const w2 = world(udpOnly, server, client, service('server', 'default', { app: 'server' }, [8301]));
    expect(decide(w2, from(client, 'server', { port: 8301 })).allowed).toBe(false);
  });
});

describe('server-side enforcement needs sidecars', () => {
  const a = pod('a-1', 'default', { app: 'a' }, 'service-a');
  const b = pod('b-1', 'default', { app: 'b' }, 'service-b');
  const w = world(a, b, service('b', 'default', { app: 'b' }));

  it('a destination without a sidecar enforces nothing', () => {
    const d = decide(w, from(a, 'b'), { isMeshed: (p) => p.metadata.name !== 'b-1' });
    expect(d).toMatchObject({ allowed: true, outcome: 'allowed' });
    expect(d.reason).toMatch(/no sidecar/);
  });

  it('a caller without a sidecar has no identity, so a meshed destination refuses it', () => {
    const route = { kind: 'TCPRoute', metadata: { name: 'tcp', namespace: 'default' }, spec: { matches: { ports: [] } } };
    const tt = trafficTarget('tt', 'default', 'service-b', ['service-a'], [{ kind: 'TCPRoute', name: 'tcp' }]);
    const call = from(a, 'b');
    call.source.meshed = false;
    expect(decide(world(a, b, service('b', 'default', { app: 'b' }), route, tt), call)).toMatchObject({ allowed: false, outcome: 'denied' });
  });

  it('honours destination.port of an old (v1alpha2) TrafficTarget', () => {
    const route = { kind: 'TCPRoute', metadata: { name: 'tcp', namespace: 'default' }, spec: { matches: { ports: [] } } };
    const tt: any = trafficTarget('tt', 'default', 'service-b', ['service-a'], [{ kind: 'TCPRoute', name: 'tcp' }]);
    tt.apiVersion = 'access.smi-spec.io/v1alpha2';
    tt.spec.destination.port = 8080;
    expect(decide(world(a, b, service('b', 'default', { app: 'b' }), route, tt), from(a, 'b')).allowed).toBe(false);
    tt.spec.destination.port = 9091;
    expect(decide(world(a, b, service('b', 'default', { app: 'b' }), route, tt), from(a, 'b')).allowed).toBe(true);
  });
});
