// Cluster DNS as a pod sees it (search list, ndots:5), and what decide() makes of failures.
import { describe, expect, it } from 'vitest';
import { resolveHost } from '../support/fake-cluster/mesh/dns.mjs';
import { decide } from '../support/fake-cluster/mesh/decide.mjs';
import { from, pod, service, world } from './helpers.js';

const w = world(
  service('app-b', 'ns1', { app: 'b' }, [9091], '10.96.0.12'),
  service('app-b', 'ns2', { app: 'b2' }),
  pod('b-1', 'ns1', { app: 'b' }, 'default', { podIP: '10.244.0.7' }),
  pod('a-1', 'ns1', { app: 'a' }),
);
const resolved = (host: string, ns = 'ns1') => {
  const r = resolveHost(w, host, ns);
  if (!r.ok) return null;
  return 'service' in r ? `svc:${r.service.metadata.namespace}/${r.service.metadata.name}` : `pod:${r.pod.metadata.name}`;
};

describe('resolveHost', () => {
  it.each([
    ['app-b.ns1.svc.cluster.local', 'svc:ns1/app-b'],
    ['app-b.ns1.svc.cluster.local.', 'svc:ns1/app-b'],
    ['APP-B.NS1.SVC.CLUSTER.LOCAL', 'svc:ns1/app-b'],
    ['app-b.ns1.svc', 'svc:ns1/app-b'],
    ['app-b.ns1', 'svc:ns1/app-b'],
    ['app-b.ns2', 'svc:ns2/app-b'],
    ['app-b', 'svc:ns1/app-b'],
    ['10.96.0.12', 'svc:ns1/app-b'],
    ['10.244.0.7', 'pod:b-1'],
  ])('%s -> %s', (host, want) => expect(resolved(host)).toBe(want));

  it('resolves a short name in the caller\'s own namespace', () => expect(resolved('app-b', 'ns2')).toBe('svc:ns2/app-b'));

  it.each([
    'app-b.ns1..svc.cluster.local.', // Meshery's hostname: an empty label
    'app-b.ns1..svc.cluster.local',
    'app-b.', // absolute: no search list, and not an FQDN
    'app-b.ns1.', // absolute
    'app-c.ns1.svc.cluster.local', // no such Service
    'app-b.ns3.svc.cluster.local', // no such namespace
    'app_b.ns1.svc.cluster.local', // not a DNS label
    'app-b.ns1.svc.example.com',
    '10.0.0.1',
    '',
  ])('%s does not resolve', (host) => expect(resolved(host)).toBeNull());

  it('serves extra mesh zones when asked (Traefik Mesh: <svc>.<ns>.traefik.mesh)', () => {
    expect(resolveHost(w, 'app-b.ns1.traefik.mesh', 'ns1').ok).toBe(false);
    expect(resolveHost(w, 'app-b.ns1.traefik.mesh', 'ns1', { meshDomains: ['traefik.mesh'] }).ok).toBe(true);
  });

  it('honours another cluster domain', () => {
    expect(resolveHost(w, 'app-b.ns1.svc.corp.internal', 'ns1', { clusterDomain: 'corp.internal' }).ok).toBe(true);
  });
});

describe('decide() on names and ports', () => {
  const a = w.pods[1];
  it('a DNS failure is a dns-error outcome, with Go\'s "no such host"', () => {
    const d = decide(w, from(a, 'app-b.ns1..svc.cluster.local.'));
    expect(d).toMatchObject({ allowed: false, outcome: 'dns-error', pods: [] });
    expect(d.reason).toMatch(/^lookup app-b\.ns1\.\.svc\.cluster\.local\.: no such host/);
  });
  it('a port the Service does not expose refuses the connection', () => {
    expect(decide(w, from(a, 'app-b', { port: 8080 }))).toMatchObject({ allowed: false, outcome: 'refused' });
  });
  it('a pod addressed by IP is still subject to access control', () => {
    expect(decide(w, from(a, '10.244.0.7'))).toMatchObject({ outcome: 'denied', pod: { metadata: { name: 'b-1' } } });
  });
});
