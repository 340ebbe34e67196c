// Traffic Specs (specs.smi-spec.io/v1alpha4): HTTPRouteGroup and TCPRoute matching against the
// examples of test/fixtures/smi-spec/traffic-specs-v1alpha4.md.
import { describe, expect, it } from 'vitest';
import { decide } from '../support/fake-cluster/mesh/decide.mjs';
import { httpMatchAllows, portRouteAllows, requestFacts } from '../support/fake-cluster/mesh/routes.mjs';
import { specObjects } from './spec-examples.js';
import { from, pod, service, trafficTarget, world } from './helpers.js';

const FILE = 'traffic-specs-v1alpha4.md';
const req = (method: string, path: string, headers: Record<string, string> = {}) => requestFacts({ method, path, headers });
const group = (heading: string, n: number) => specObjects(FILE, heading, n)[0];
const match = (g: any, name: string) => g.spec.matches.find((m: any) => m.name === name);

describe('spec § HTTPRouteGroup', () => {
  const g = group('HTTPRouteGroup', 0);

  it('matches `metrics` (pathRegex "/metrics", GET) anchored at the start of the URI', () => {
    const m = match(g, 'metrics');
    expect(httpMatchAllows(m, req('GET', '/metrics'))).toBe(true);
    expect(httpMatchAllows(m, req('GET', '/metrics/detail'))).toBe(true);
    expect(httpMatchAllows(m, req('GET', '/app/metrics'))).toBe(false);
    expect(httpMatchAllows(m, req('POST', '/metrics'))).toBe(false);
  });

  it('matches `health` (pathRegex "/ping", methods ["*"]) for every method', () => {
    const m = match(g, 'health');
    for (const method of ['GET', 'POST', 'DELETE', 'PATCH']) expect(httpMatchAllows(m, req(method, '/ping'))).toBe(true);
    expect(httpMatchAllows(m, req('GET', '/pong'))).toBe(false);
  });

  it('matches anything with `everything` (".*", ["*"])', () => {
    const m = match(group('HTTPRouteGroup', 1), 'everything');
    expect(httpMatchAllows(m, req('PUT', '/any/path?x=1'))).toBe(true);
  });

  it('matches methods case-insensitively on the request side', () => {
    expect(httpMatchAllows(match(g, 'metrics'), requestFacts({ method: 'get', path: '/metrics' }))).toBe(true);
  });

  it('never matches with a pathRegex that does not compile', () => {
    expect(httpMatchAllows({ name: 'bad', pathRegex: '/(', methods: ['*'] }, req('GET', '/('))).toBe(false);
  });
});

describe('spec § HTTP header filters', () => {
  const android = { 'user-agent': 'Mozilla/5.0 (Linux; Android 14)' };

  it('ANDs several headers of one match (android-insiders)', () => {
    const m = match(group('HTTP header filters', 0), 'android-insiders');
    expect(httpMatchAllows(m, req('GET', '/', { ...android, cookie: 'theme=dark;type=insider' /* the spec's regex allows no space after ';' */ }))).toBe(true);
    expect(httpMatchAllows(m, req('GET', '/', { ...android, cookie: 'type=outsider' }))).toBe(false);
    expect(httpMatchAllows(m, req('GET', '/', { cookie: 'type=insider' }))).toBe(false);
  });

  it('ORs several matches (android-insiders or firefox-users) when a rule names the group', () => {
    const g = group('HTTP header filters', 1);
    const server = pod('web-1', 'default', { app: 'web' }, 'web');
    const client = pod('client-1', 'default', { app: 'client' }, 'client');
    const tt = trafficTarget('tt', 'default', 'web', ['client'], [{ kind: 'HTTPRouteGroup', name: 'the-routes' }]);
    const w = world(g, tt, server, client, service('web', 'default', { app: 'web' }));
    const call = (headers: Record<string, string>) => decide(w, from(client, 'web', { headers })).allowed;
    expect(call({ 'User-Agent': 'Mozilla/5.0 Firefox/128.0' })).toBe(true);
    expect(call({ 'user-agent': 'Android', cookie: 'type=insider' })).toBe(true);
    expect(call({ 'user-agent': 'Mozilla/5.0 Chrome/126' })).toBe(false);
    expect(call({})).toBe(false);
  });

  it('applies headers, pathRegex and methods together (iphone-users)', () => {
    const m = match(group('HTTP header filters', 2), 'iphone-users');
    const iphone = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)' };
    expect(httpMatchAllows(m, req('GET', '/api/users', iphone))).toBe(true);
    expect(httpMatchAllows(m, req('HEAD', '/api/users', iphone))).toBe(true);
    expect(httpMatchAllows(m, req('POST', '/api/users', iphone))).toBe(false);
    expect(httpMatchAllows(m, req('GET', '/web', iphone))).toBe(false);
    expect(httpMatchAllows(m, req('GET', '/api/users', { 'user-agent': 'Android' }))).toBe(false);
  });

  it('full-matches header regexes and accepts the CRD schema\'s array-of-maps form', () => {
    expect(httpMatchAllows({ name: 'x', headers: { 'user-agent': 'Firefox' } }, req('GET', '/', { 'user-agent': 'Mozilla Firefox/1' }))).toBe(false);
    const arrayForm = { name: 'x', headers: [{ 'user-agent': '.*Firefox.*' }, { 'x-beta': 'yes' }] };
    expect(httpMatchAllows(arrayForm, req('GET', '/', { 'user-agent': 'Firefox', 'x-beta': 'yes' }))).toBe(true);
    expect(httpMatchAllows(arrayForm, req('GET', '/', { 'user-agent': 'Firefox' }))).toBe(false);
  });
});

describe('spec § TCPRoute', () => {
  it('admits only the listed ports', () => {
    const r = specObjects(FILE, 'TCPRoute', 0)[0];
    expect(portRouteAllows(r, 3306)).toBe(true);
    expect(portRouteAllows(r, 6446)).toBe(true);
    expect(portRouteAllows(r, 5432)).toBe(false);
  });
  it('admits every port when ports is []', () => {
    const r = specObjects(FILE, 'TCPRoute', 1)[0];
    expect(r.spec.matches.ports).toEqual([]);
    for (const p of [1, 80, 9091, 65535]) expect(portRouteAllows(r, p)).toBe(true);
  });
});

describe("Meshery's traffic-spec steps, with matches under spec", () => {
  const a = pod('a-1', 'default', { app: 'a' }, 'service-a');
  const b = pod('b-1', 'default', { app: 'b' }, 'service-b');
  const tt = trafficTarget('t', 'default', 'service-b', ['service-a'], [{ kind: 'HTTPRouteGroup', name: 'rg', matches: ['testMatch'] }]);
  const rg = (m: any) => ({ kind: 'HTTPRouteGroup', metadata: { name: 'rg', namespace: 'default' }, spec: { matches: [{ name: 'testMatch', ...m }] } });
  const allowed = (g: any, method: string, path: string) =>
    decide(world(a, b, service('b', 'default', { app: 'b' }), tt, g), from(a, 'b.default.svc.cluster.local', { method, path })).allowed;

  it('trafficPath: /metrics allowed, /echo denied', () => {
    const g = rg({ pathRegex: '/metrics', methods: ['*'] });
    expect(allowed(g, 'GET', '/metrics')).toBe(true);
    expect(allowed(g, 'GET', '/echo')).toBe(false);
  });
  it('trafficMethod: GET allowed, POST denied', () => {
    const g = rg({ pathRegex: '.*', methods: ['GET'] });
    expect(allowed(g, 'GET', '/echo')).toBe(true);
    expect(allowed(g, 'POST', '/echo')).toBe(false);
  });
  it('a rule naming a match the group does not have allows nothing', () => {
    const g = rg({ pathRegex: '.*', methods: ['*'] });
    g.spec.matches[0].name = 'otherMatch';
    expect(allowed(g, 'GET', '/echo')).toBe(false);
  });
  it("Meshery's original manifest (matches outside spec) leaves the group empty, so nothing is allowed", () => {
    const g: any = { kind: 'HTTPRouteGroup', metadata: { name: 'rg', namespace: 'default' }, matches: [{ name: 'testMatch', pathRegex: '/metrics', methods: ['*'] }] };
    expect(allowed(g, 'GET', '/metrics')).toBe(false);
  });
});
