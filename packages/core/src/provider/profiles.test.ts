import { describe, expect, it } from 'vitest';
import { parseHeaderText, profileInputFromFortio, profileInputFromSmp, smpMeshName, smpProfileFromPerformanceProfile } from './profiles.js';

describe('smpProfileFromPerformanceProfile', () => {
  const expected = {
    test: {
      name: 'checkout-soak',
      duration: '1m30s',
      clients: [
        {
          internal: false,
          load_generator: 'wrk2',
          protocol: 1,
          connections: 8,
          rps: 250,
          headers: { 'X-Env': 'ci' },
          cookies: { lang: 'en' },
          body: '{"a":1}',
          content_type: 'application/json',
          endpoint_urls: ['https://shop.example.invalid/checkout', 'https://shop.example.invalid/cart'],
        },
      ],
    },
    mesh: { type: 5 },
  };

  it('maps a current (camelCase) profile', () => {
    const p = {
      id: 'd1c2b3a4-0000-4000-8000-000000000001',
      name: 'checkout-soak',
      loadGenerators: ['wrk2', 'fortio'],
      endpoints: ['https://shop.example.invalid/checkout', 'https://shop.example.invalid/cart'],
      serviceMesh: 'LINKERD',
      concurrentRequest: 8,
      qps: 250,
      duration: '1m30s',
      requestHeaders: '{"X-Env":"ci"}',
      requestCookies: '{"lang":"en"}',
      requestBody: '{"a":1}',
      contentType: 'application/json',
    };
    expect(smpProfileFromPerformanceProfile(p)).toEqual(expected);
  });

  it('maps an older (snake_case) profile with objects for headers and cookies', () => {
    const p = {
      name: 'checkout-soak',
      load_generators: ['wrk2'],
      endpoints: '{https://shop.example.invalid/checkout,https://shop.example.invalid/cart}',
      service_mesh: 'Linkerd',
      concurrent_request: '8',
      qps: 250,
      duration: '1m30s',
      request_headers: { 'X-Env': 'ci' },
      request_cookies: 'lang=en',
      request_body: '{"a":1}',
      content_type: 'application/json',
    };
    expect(smpProfileFromPerformanceProfile(p)).toEqual(expected);
  });

  it('fills Meshery defaults for a sparse profile', () => {
    expect(smpProfileFromPerformanceProfile({ name: 'x', endpoints: ['http://127.0.0.1:1/'], serviceMesh: 'None' })).toEqual({
      test: {
        name: 'x',
        clients: [
          { internal: false, load_generator: 'fortio', protocol: 1, connections: 1, rps: 0, headers: {}, cookies: {}, body: '', content_type: '', endpoint_urls: ['http://127.0.0.1:1/'] },
        ],
      },
      mesh: { type: 0 },
    });
  });
});

describe('parseHeaderText', () => {
  it('reads JSON text, header lines and cookie strings', () => {
    expect(parseHeaderText('{"A":"1","B":2}', 'headers')).toEqual({ A: '1', B: '2' });
    expect(parseHeaderText('A: 1\nB: two: parts', 'headers')).toEqual({ A: '1', B: 'two: parts' });
    expect(parseHeaderText('a=1; b=2', 'cookies')).toEqual({ a: '1', b: '2' });
    expect(parseHeaderText('', 'headers')).toEqual({});
    expect(parseHeaderText(undefined, 'cookies')).toEqual({});
  });
});

describe('profile inputs', () => {
  it('come from an SMP envelope or a flat config', () => {
    const client = { load_generator: 'fortio', connections: 2, rps: 10, endpoint_urls: ['https://smp-spec.example.invalid'], headers: { A: 'b' } };
    const envelope = { test: { name: 'Load Test', duration: '60s', clients: [client] }, mesh: { type: 3 } };
    const a = profileInputFromSmp(envelope, { name: 'n' });
    const b = profileInputFromSmp({ name: 'Load Test', duration: '60s', clients: [client], mesh: { type: 3 } }, { name: 'n' });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ name: 'n', serviceMesh: 'ISTIO', concurrentRequest: 2, qps: 10, duration: '60s', loadGenerators: ['fortio'], requestHeaders: { A: 'b' } });
    expect(profileInputFromSmp(envelope, { name: 'n', mesh: 'osm' }).serviceMesh).toBe('OPEN_SERVICE_MESH');
  });

  it('come from Fortio JSON when nothing else is at hand', () => {
    expect(profileInputFromFortio({ URL: 'https://x.example.invalid', NumThreads: 8, RequestedQPS: 'max', RequestedDuration: '5s' }, { name: 'n' })).toEqual({
      name: 'n',
      loadGenerators: ['fortio'],
      endpoints: ['https://x.example.invalid'],
      serviceMesh: undefined,
      concurrentRequest: 8,
      qps: 0,
      duration: '5s',
    });
  });

  it('name meshes by their SMP enum name', () => {
    expect(smpMeshName(3)).toBe('ISTIO');
    expect(smpMeshName('linkerd2')).toBe('LINKERD');
    expect(smpMeshName(0)).toBeUndefined();
    expect(smpMeshName('SomeNewMesh')).toBe('SomeNewMesh');
  });
});
