// The simulated sample app over real HTTP, with calls going through the simulated mesh.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { allowAll, createFixture } from './fixture.js';

let fx: ReturnType<typeof createFixture>;
afterEach(async () => {
  await fx?.sim.close();
});

async function twoApps(ns = 'smi-test') {
  fx = createFixture();
  fx.namespace(ns);
  const a = await fx.app(ns, 'app-a', { serviceAccount: 'service-a' });
  const b = await fx.app(ns, 'app-b', { serviceAccount: 'service-b' });
  return { a, b, ns, svcB: `http://app-b.${ns}.svc.cluster.local:9091` };
}

function allow(ns: string) {
  const [route, tt] = allowAll(ns, 'service-b', 'service-a');
  fx.put('specs.smi-spec.io', 'tcproutes', route);
  fx.put('access.smi-spec.io', 'traffictargets', tt);
}

describe('sample app: /call through the mesh', () => {
  it('records a denied call in RespFailed (the sidecar answers 403) and still answers 200, as the Go app does', async () => {
    const { a, b, svcB } = await twoApps();
    const r = await fx.call(a, { url: `${svcB}/echo`, method: 'GET', headers: {}, body: '' });
    expect(r).toEqual({ status: 200, text: 'RBAC: access denied' });
    const ma = await fx.metrics(a);
    expect(ma.RespSucceeded).toEqual([]);
    expect(ma.RespFailed).toEqual([{ URL: `${svcB}/echo`, Method: 'GET', Headers: {} }]);
    expect(ma.ReqReceived).toEqual(['Unidentified']);
    expect((await fx.metrics(b)).ReqReceived).toEqual([]);
  });

  it('forwards an allowed call to the other pod, which records the caller\'s ServiceName', async () => {
    const { a, b, ns, svcB } = await twoApps();
    allow(ns);
    const r = await fx.call(a, { url: `${svcB}/echo`, method: 'GET', headers: { 'X-Test': 'yes' }, body: '' });
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^GET \/echo HTTP\/1\.1\r\nHost: app-b\.smi-test\.svc\.cluster\.local:9091\r\nUser-Agent: Go-http-client\/1\.1\r\n/);
    expect(r.text).toContain('\r\nServicename: app-a\r\n');
    expect(r.text).toContain('\r\nX-Test: yes\r\n');
    expect((await fx.metrics(a)).RespSucceeded).toEqual([{ URL: `${svcB}/echo`, Method: 'GET', Headers: { 'X-Test': 'yes' } }]);
    expect((await fx.metrics(b)).ReqReceived).toEqual(['app-a']);
  });

  it('records nothing and answers 500 on a transport error (Meshery\'s "..svc" hostname does not resolve)', async () => {
    const { a, b, ns } = await twoApps();
    allow(ns);
    const r = await fx.call(a, { url: `http://app-b.${ns}..svc.cluster.local.:9091/echo`, method: 'GET', headers: {}, body: '' });
    expect(r).toEqual({ status: 500, text: 'Error completing the request\n' });
    const ma = await fx.metrics(a);
    expect([ma.RespSucceeded, ma.RespFailed]).toEqual([[], []]);
    expect((await fx.metrics(b)).ReqReceived).toEqual([]);
    expect(fx.sim.podRuntime.logs(a.pod)).toMatch(/level=error msg="Error completing the request Get .*no such host/);
  });

  it('sends the body of POST, PUT and PATCH, and Headers: null when none were given', async () => {
    const { a, ns, svcB } = await twoApps();
    allow(ns);
    const r = await fx.call(a, { url: `${svcB}/echo`, method: 'POST', body: '{"k":1}' });
    expect(r.text).toMatch(/^POST \/echo HTTP\/1\.1\r\n/);
    expect(r.text).toContain('Content-Length: 7\r\n');
    expect(r.text.endsWith('\r\n\r\n{"k":1}')).toBe(true);
    expect((await fx.metrics(a)).RespSucceeded).toEqual([{ URL: `${svcB}/echo`, Method: 'POST', Headers: null }]);
  });

  it('counts a 404 from the destination as failed (only 200-399 succeed)', async () => {
    const { a, ns, svcB } = await twoApps();
    allow(ns);
    const r = await fx.call(a, { url: `${svcB}/nothing-here`, method: 'GET', body: '' });
    expect(r).toEqual({ status: 200, text: '404 page not found\n' });
    expect((await fx.metrics(a)).RespFailed).toHaveLength(1);
  });

  it('reads /metrics of the other app through the mesh without recording it there', async () => {
    const { a, b, ns, svcB } = await twoApps();
    allow(ns);
    const r = await fx.call(a, { url: `${svcB}/metrics`, method: 'GET', body: '' });
    expect(JSON.parse(r.text)).toEqual({ ReqReceived: [], RespSucceeded: [], RespFailed: [] });
    expect((await fx.metrics(b)).ReqReceived).toEqual([]);
  });

  it('is plain Kubernetes in a namespace not labelled for injection: no sidecar, nothing enforced', async () => {
    fx = createFixture();
    fx.namespace('plain', false);
    const a = await fx.app('plain', 'app-a', { serviceAccount: 'service-a' });
    const b = await fx.app('plain', 'app-b', { serviceAccount: 'service-b' });
    const r = await fx.call(a, { url: 'http://app-b.plain.svc.cluster.local:9091/echo', method: 'GET', body: '' });
    expect(r.text).toMatch(/^GET \/echo/);
    expect((await fx.metrics(b)).ReqReceived).toEqual(['app-a']);
    expect(fx.sim.traffic()).toEqual([]); // no sidecar saw it
  });

  it('enforces everywhere with requireInjection: false', async () => {
    fx = createFixture({ requireInjection: false });
    fx.namespace('plain', false);
    const a = await fx.app('plain', 'app-a', { serviceAccount: 'service-a' });
    await fx.app('plain', 'app-b', { serviceAccount: 'service-b' });
    expect((await fx.call(a, { url: 'http://app-b.plain:9091/echo', method: 'GET', body: '' })).text).toBe('RBAC: access denied');
  });
});

describe('sample app: its own endpoints', () => {
  it('DELETE /metrics resets the state; other methods on /metrics are 400', async () => {
    const { a, svcB } = await twoApps();
    await fx.call(a, { url: `${svcB}/echo`, method: 'GET', body: '' });
    expect((await fx.metrics(a)).RespFailed).toHaveLength(1);
    expect(await fx.reset(a)).toBe(200);
    expect(await fx.metrics(a)).toEqual({ ReqReceived: [], RespSucceeded: [], RespFailed: [] });
    const put = await fetch(`${a.url}/metrics`, { method: 'PUT' });
    expect([put.status, await put.text()]).toEqual([400, 'Method not defined\n']);
  });

  it('records /echo callers, "Unidentified" without a ServiceName header', async () => {
    const { b } = await twoApps();
    await fetch(`${b.url}/echo`);
    await fetch(`${b.url}/echo`, { headers: { ServiceName: 'runner' } });
    expect((await fx.metrics(b)).ReqReceived).toEqual(['Unidentified', 'runner']);
  });

  it('answers 404 for other paths and does not record them', async () => {
    const { b } = await twoApps();
    const r = await fetch(`${b.url}/other`);
    expect([r.status, await r.text()]).toEqual([404, '404 page not found\n']);
    expect((await fx.metrics(b)).ReqReceived).toEqual([]);
  });

  it('answers 200 with nothing for GET /call and for an empty body, and 400 for bad JSON', async () => {
    const { a } = await twoApps();
    const get = await fetch(`${a.url}/call`);
    expect([get.status, await get.text()]).toEqual([200, '']);
    expect(await fx.call(a, '')).toEqual({ status: 200, text: '' });
    expect(await fx.call(a, '{nope')).toEqual({ status: 400, text: 'Error parsing body\n' });
    expect((await fx.metrics(a)).ReqReceived).toEqual(['Unidentified', 'Unidentified', 'Unidentified']);
  });

  it('drops the connection when a field is missing, as the Go app panics on its type assertion', async () => {
    const { a, svcB } = await twoApps();
    const err = await new Promise<Error | undefined>((resolve) => {
      const req = request(`${a.url}/call`, { method: 'POST' }, (res) => {
        res.resume();
        res.on('end', () => resolve(undefined));
      });
      req.on('error', resolve);
      req.end(JSON.stringify({ url: `${svcB}/echo`, method: 'GET' })); // no "body"
    });
    expect(err?.message).toMatch(/socket hang up|ECONNRESET/);
    expect(fx.sim.podRuntime.logs(a.pod)).toMatch(/http: panic serving .*interface conversion: interface \{\} is nil, not string/);
  });

  it('answers 400 for a URL it cannot parse and 500 for an unsupported scheme', async () => {
    const { a } = await twoApps();
    expect(await fx.call(a, { url: '::nope', method: 'GET', body: '' })).toEqual({ status: 400, text: 'Error creating request\n' });
    expect(await fx.call(a, { url: 'ftp://app-b/x', method: 'GET', body: '' })).toEqual({ status: 500, text: 'Error completing the request\n' });
  });
});
