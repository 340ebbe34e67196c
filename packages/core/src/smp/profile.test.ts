import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyOverrides, loadsFromCluster, parseProfileText, ProfileError } from './profile.js';
import { findMesh } from '../mesh/registry.js';
import { fixturePath } from '../../../../test/support/fixtures.mjs';

const reference = fixturePath('smp', 'meshery-smp-action-load-test.yaml');
const blogProfile = fixturePath('smp', 'smp-blog-pipelining-profile.yaml');

function problems(text: string): string[] {
  try {
    parseProfileText(text, 'p.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    return (error as ProfileError).details;
  }
  throw new Error('expected the profile to be rejected');
}

describe('SMP profiles', () => {
  it("accepts Meshery's own action profile as it is", () => {
    const p = parseProfileText(readFileSync(reference, 'utf8'), 'load-test.yaml');
    expect(p.name).toBe('Load Test');
    expect(p.durationMs).toBe(60_000);
    expect(p.clients).toHaveLength(1);
    expect(p.clients[0]).toMatchObject({ protocol: 1, connections: 2, rps: 10, load_generator: 'fortio', endpoint_urls: ['https://smp-spec.io'] });
    expect(p.mesh.type).toBe(3);
    expect(p.mesh.info.id).toBe('istio');
  });

  it("accepts the SMP blog post's profile (bare, `id:` empty, protocol 1) with sensible values", () => {
    const p = parseProfileText(readFileSync(blogProfile, 'utf8'), 'smp-blog-pipelining-profile.yaml');
    expect(p.id).toBeUndefined();
    expect(p).toMatchObject({ smp_version: 'v0.0.1', name: 'Istio Performance Test', labels: {}, duration: '30m', durationMs: 30 * 60_000 });
    expect(p.clients).toEqual([
      {
        internal: false,
        load_generator: 'fortio',
        protocol: 1,
        connections: 2,
        rps: 10,
        headers: {},
        cookies: {},
        body: '',
        content_type: '',
        endpoint_urls: ['http://localhost:2323/productpage'],
        ssl_certificate: undefined,
        additional_options: undefined,
      },
    ]);
    expect(p.mesh.info.id).toBe('none');
  });

  it('reads an optional field left null or empty as not set', () => {
    const p = parseProfileText(
      [
        'test:',
        '  smp_version:',
        '  id:',
        '  name: ""',
        '  labels:',
        '  duration: 2s',
        '  clients:',
        '  - internal:',
        '    load_generator: ""',
        '    protocol:',
        '    connections:',
        '    rps: null',
        '    headers:',
        '    cookies:',
        '    body:',
        '    content_type:',
        '    ssl_certificate:',
        '    additional_options: ""',
        "    endpoint_urls: ['http://127.0.0.1/']",
        'mesh:',
        '  type:',
        '  version:',
        '  labels:',
        '  annotations:',
      ].join('\n'),
      'dir/empty.yaml',
    );
    expect(p).toMatchObject({ smp_version: 'v0.0.1', id: undefined, name: 'empty', labels: {} });
    expect(p.clients[0]).toEqual({
      internal: false,
      load_generator: 'native',
      protocol: 1,
      connections: 1,
      rps: 0,
      headers: {},
      cookies: {},
      body: '',
      content_type: '',
      endpoint_urls: ['http://127.0.0.1/'],
      ssl_certificate: undefined,
      additional_options: undefined,
    });
    expect(p.mesh).toMatchObject({ type: 0, version: undefined, labels: {}, annotations: {} });
  });

  it('still requires what is required when it is left empty, and names the type to write', () => {
    expect(problems("test: {duration: , clients: [{endpoint_urls: ['http://127.0.0.1/']}]}")).toEqual([expect.stringMatching(/\$\.test\.duration: must be string$/)]);
    expect(problems('test: {duration: 1s, clients: [{endpoint_urls: }]}')).toEqual([expect.stringMatching(/\$\.test\.clients\[0\]\.endpoint_urls: must be array$/)]);
    expect(problems('test: {duration: 1s, clients: }')).toEqual([expect.stringMatching(/\$\.test\.clients: must be array$/)]);
    expect(problems("test: {id: 5, duration: 1s, clients: [{endpoint_urls: ['http://127.0.0.1/']}]}")).toEqual([expect.stringMatching(/\$\.test\.id: must be string$/)]);
  });

  it('accepts a bare camelCase PerformanceTestConfig with enum names', () => {
    const p = parseProfileText(
      JSON.stringify({
        smpVersion: 'v0.0.1',
        name: 'camel',
        duration: '1m30s',
        clients: [{ loadGenerator: 'WRK2', protocol: 'PROTOCOL_HTTP', connections: 4, rps: 100, endpointUrls: ['http://127.0.0.1:1/'], contentType: 'application/json', body: '{}', headers: { 'x-n': 3 } }],
      }),
      'camel.json',
    );
    expect(p.durationMs).toBe(90_000);
    expect(p.clients[0]).toMatchObject({ load_generator: 'wrk2', protocol: 1, content_type: 'application/json', headers: { 'x-n': '3' } });
    expect(p.mesh.info.id).toBe('none');
  });

  it('reads the mesh type as a name or a number', () => {
    const base = "test: {duration: 1s, clients: [{endpoint_urls: ['http://127.0.0.1/']}]}\n";
    expect(parseProfileText(`${base}mesh: {type: OPEN_SERVICE_MESH}`, 'a').mesh.type).toBe(10);
    expect(parseProfileText(`${base}mesh: {type: linkerd}`, 'a').mesh.type).toBe(5);
    expect(parseProfileText(`${base}mesh: {type: 6}`, 'a').mesh.info.id).toBe('traefik_mesh');
    expect(problems(`${base}mesh: {type: nosuchmesh}`)).toEqual([expect.stringMatching(/^p\.yaml: \$\.mesh\.type: unknown service mesh "nosuchmesh"/)]);
  });

  it('defaults the name from the file and connections to 1', () => {
    const p = parseProfileText("duration: 2s\nclients: [{endpoint_urls: ['http://127.0.0.1/']}]", 'dir/smoke.yaml');
    expect(p.name).toBe('smoke');
    expect(p.clients[0]!.connections).toBe(1);
    expect(p.clients[0]!.rps).toBe(0);
  });

  it.each([
    ['a Go duration', "test: {duration: 10 seconds, clients: [{endpoint_urls: ['http://h/']}]}", '$.test.duration'],
    ['at least one client', 'test: {duration: 1s, clients: []}', '$.test.clients'],
    ['a client with an endpoint', 'test: {duration: 1s, clients: [{rps: 1}]}', '$.test.clients[0].endpoint_urls'],
    ['absolute URLs', "test: {duration: 1s, clients: [{endpoint_urls: ['/relative']}]}", '$.test.clients[0].endpoint_urls[0]'],
    ['http(s) URLs', "test: {duration: 1s, clients: [{endpoint_urls: ['ftp://h/']}]}", '$.test.clients[0].endpoint_urls[0]'],
    ['connections >= 1', "test: {duration: 1s, clients: [{connections: 0, endpoint_urls: ['http://h/']}]}", '$.test.clients[0].connections'],
    ['known fields only', "test: {duration: 1s, clients: [{endpoint_url: 'http://h/', endpoint_urlz: ['x']}]}", '$.test.clients[0].endpoint_urlz'],
    ['a known load generator', "test: {duration: 1s, clients: [{load_generator: jmeter, endpoint_urls: ['http://h/']}]}", '$.test.clients[0].load_generator'],
    ['HTTP only for now', "test: {duration: 1s, clients: [{protocol: GRPC, endpoint_urls: ['http://h/']}]}", '$.test.clients[0].protocol'],
    ['all clients internal or none', "test: {duration: 1s, clients: [{internal: true, endpoint_urls: ['http://h/']}, {endpoint_urls: ['http://h/']}]}", '$.test.clients[1].internal'],
    ['a mapping', '- just a list', '$'],
  ])('requires %s', (_rule, text, path) => {
    const lines = problems(text);
    expect(lines.some((l) => l.startsWith(`p.yaml: ${path}: `)), lines.join('\n')).toBe(true);
  });

  it('says "not supported yet" for gRPC', () => {
    expect(problems("test: {duration: 1s, clients: [{protocol: 4, endpoint_urls: ['http://h/']}]}").join()).toMatch(/GRPC is not supported yet/);
  });

  it('accepts in-cluster (internal) clients, all of them or none, and says why mixing is refused', () => {
    const profile = parseProfileText("test: {duration: 1s, clients: [{internal: true, connections: 4, endpoint_urls: ['http://svc.ns/']}, {internal: true, endpoint_urls: ['http://h/']}]}", 'p.yaml');
    expect(profile.clients.map((c) => c.internal)).toEqual([true, true]);
    expect(loadsFromCluster(profile)).toBe(true);
    expect(loadsFromCluster(parseProfileText("test: {duration: 1s, clients: [{endpoint_urls: ['http://h/']}]}", 'p.yaml'))).toBe(false);
    expect(problems("test: {duration: 1s, clients: [{endpoint_urls: ['http://h/']}, {internal: true, endpoint_urls: ['http://h/']}]}").join()).toMatch(
      /clients\[1\]\.internal: 1 of 2 clients are internal: true; a run loads either from inside the cluster \(every client internal: true\) or from the runner \(none\)/,
    );
  });

  it("quotes the user's own camelCase spelling in paths", () => {
    const lines = problems('{"duration": "1s", "clients": [{"endpointUrls": ["nope"]}]}');
    expect(lines).toEqual(['p.yaml: $.clients[0].endpointUrls[0]: "nope" is not an absolute URL; write it with its scheme and host, e.g. http://127.0.0.1:8080/']);
  });

  it('reports every problem at once, and YAML syntax errors with a line', () => {
    expect(problems("test: {duration: x, clients: [{endpoint_urls: ['/a', 'ftp://b/']}]}").length).toBeGreaterThanOrEqual(2);
    expect(problems('test:\n  duration: 1s\n  clients: [\n')[0]).toMatch(/^p\.yaml: line \d+: not valid YAML or JSON/);
  });

  it.each([
    ['a client field', 'test:\n  duration: 1s\n  clients:\n    - endpoint_urls: [http://h/]\n      rps: 10\n      rps: 1000\n', '$.test.clients[0].rps', 6],
    ['a field of the second client', 'test:\n  clients:\n    - endpoint_urls: [http://a/]\n    - endpoint_urls: [http://b/]\n      connections: 1\n      connections: 2\n', '$.test.clients[1].connections', 6],
    ['a top-level key', 'test:\n  duration: 1s\ntest:\n  duration: 2s\n', '$.test', 3],
    ['a header (flow style, quoted)', 'test:\n  clients: [{endpoint_urls: ["http://h/"], headers: {"X-A": "1", "X-A": "2"}}]\n', '$.test.clients[0].headers.X-A', 2],
    ['a key in JSON', '{"test": {"duration": "1s", "duration": "2s", "clients": []}}', '$.test.duration', 1],
    ['a key in an unindented list, behind a comment and an anchor', 'test:\n  clients: # two\n  - &one\n    endpoint_urls: [http://a/]\n  - endpoint_urls: [http://b/]\n    rps: 1\n    rps: 2\n', '$.test.clients[1].rps', 7],
    ['a key with a dot', 'test:\n  labels:\n    a.b: x\n    a.b: y\n', '$.test.labels["a.b"]', 4],
  ])('refuses a duplicated key: %s, naming the file, the key path and the line', (_case, text, path, line) => {
    expect(problems(text)).toEqual([`p.yaml: ${path}: given twice in the same mapping (again on line ${line}); keep one`]);
  });

  it('a duplicated key is an input error (exit 2) whose details name the file', () => {
    let caught: unknown;
    try {
      parseProfileText('test:\n  duration: 1s\n  duration: 2s\n', 'profiles/load.yaml');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProfileError);
    expect((caught as ProfileError).kind).toBe('input');
    expect((caught as ProfileError).details).toEqual(['profiles/load.yaml: $.test.duration: given twice in the same mapping (again on line 3); keep one']);
  });

  it('applies overrides: flags win over the file', () => {
    const p = parseProfileText(readFileSync(reference, 'utf8'), 'load-test.yaml');
    const o = applyOverrides(p, { name: 'n', endpoints: ['http://127.0.0.1:9/a'], rps: 50, connections: 3, durationMs: 5000, loadGenerator: 'native', mesh: findMesh('osm') });
    expect(o).toMatchObject({ name: 'n', durationMs: 5000, mesh: { type: 10 } });
    expect(o.clients[0]).toMatchObject({ endpoint_urls: ['http://127.0.0.1:9/a'], rps: 50, connections: 3, load_generator: 'native' });
    expect(() => applyOverrides(p, { endpoints: ['nope'] })).toThrow(/^--endpoint: "nope" is not an absolute URL/);
    expect(() => applyOverrides(p, { endpoints: ['nope'] }, 'action')).toThrow(/^input endpoint_url: "nope" is not an absolute URL/);
  });
});
