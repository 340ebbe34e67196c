import { describe, expect, it } from 'vitest';
import { dashboardEntry, fortioFile } from '../../../../test/provider/fixtures.js';
import { mesheryResultBody, performanceProfileBody, runnerResultsFrom, sanitizeJson, smiResultBody } from './bodies.js';

/** Our smi-result.json: Meshery's SmiResult plus per-step detail (which must not reach the provider). */
const ours = {
  id: '5d2c9a4e-8f7b-4c1e-9a0b-2f6e1d3c4b5a',
  date: '2031-02-03T04:05:06Z',
  mesh_name: 'Open Service Mesh',
  mesh_version: 'v1.2.0',
  cases_passed: 7,
  cases_total: 9,
  passing_percentage: 77.78,
  status: 'completed',
  more_details: [
    {
      smi_specification: 'traffic-access',
      smi_version: 'v1alpha3',
      time: '41.2s',
      assertions: 12,
      result: 'all assertions passed',
      reason: '',
      capability: 'FULL',
      status: 'PASSED',
      steps: [{ name: '1-install', passed: true, log: 'applied TrafficTarget' }],
    },
  ],
  meshspec: { run_id: 'x', steps: [] },
};

describe('smiResultBody', () => {
  it('keeps exactly the snake_case struct fields, as strings, without our extras', () => {
    const body = smiResultBody(ours, 'snake');
    expect(body).toEqual({
      id: ours.id,
      date: ours.date,
      mesh_name: 'Open Service Mesh',
      mesh_version: 'v1.2.0',
      cases_passed: '7',
      passing_percentage: '77.8%',
      status: 'completed',
      more_details: [
        {
          smi_specification: 'traffic-access',
          smi_version: 'v1alpha3',
          time: '41.2s',
          assertions: '12',
          result: 'all assertions passed',
          capability: 'FULL',
          status: 'PASSED',
        },
      ],
    });
  });

  it('writes camelCase keys by default', () => {
    const body = smiResultBody(ours);
    expect(Object.keys(body)).toEqual(['id', 'date', 'meshName', 'meshVersion', 'casesPassed', 'passingPercentage', 'status', 'moreDetails']);
    expect(Object.keys((body.moreDetails as object[])[0]!)).toEqual(['smiSpecification', 'smiVersion', 'time', 'assertions', 'result', 'capability', 'status']);
  });

  it('round-trips dashboard data, whose non-UUID ids Go could not decode', () => {
    const body = smiResultBody(dashboardEntry, 'snake');
    const { id: _id, previous_versions: _pv, ...rest } = dashboardEntry;
    expect(body).toEqual(rest);
    expect(body).not.toHaveProperty('id');
  });

  it('reads camelCase input too', () => {
    expect(smiResultBody({ meshName: 'Linkerd', casesPassed: '3', moreDetails: [{ smiSpecification: 'traffic-split' }] }, 'snake')).toEqual({
      mesh_name: 'Linkerd',
      cases_passed: '3',
      more_details: [{ smi_specification: 'traffic-split' }],
    });
  });
});

describe('performanceProfileBody', () => {
  const input = {
    name: 'smp-istio-fortio-load',
    loadGenerators: ['fortio'],
    endpoints: ['https://alice:pa55word@app.example.invalid/api?token=abc&x=1'],
    serviceMesh: 'ISTIO',
    concurrentRequest: 4,
    qps: 99.6,
    duration: '30s',
    requestHeaders: { Authorization: 'Bearer sekr3t-header', 'X-Trace': 'on' },
    requestCookies: { session: 'c00kie-value' },
    requestBody: '{"q":1}',
    contentType: 'application/json',
  };

  it('uses camelCase tags, ints, and redacts secrets', () => {
    const body = performanceProfileBody(input);
    expect(body).toEqual({
      name: 'smp-istio-fortio-load',
      loadGenerators: ['fortio'],
      endpoints: ['https://redacted@app.example.invalid/api?token=%5Bredacted%5D&x=1'],
      serviceMesh: 'ISTIO',
      concurrentRequest: 4,
      qps: 100,
      duration: '30s',
      requestHeaders: '{"Authorization":"[redacted]","X-Trace":"on"}',
      requestCookies: '{"session":"[redacted]"}',
      requestBody: '{"q":1}',
      contentType: 'application/json',
    });
    const text = JSON.stringify(body);
    for (const secret of ['pa55word', 'sekr3t-header', 'c00kie-value', 'token=abc']) expect(text).not.toContain(secret);
  });

  it('uses snake_case tags for older Meshery', () => {
    expect(Object.keys(performanceProfileBody(input, 'snake'))).toEqual([
      'name',
      'load_generators',
      'endpoints',
      'service_mesh',
      'concurrent_request',
      'qps',
      'duration',
      'request_headers',
      'request_cookies',
      'request_body',
      'content_type',
    ]);
  });

  it('leaves out empty values as omitempty does (qps 0 = unthrottled)', () => {
    expect(performanceProfileBody({ name: 'p', qps: 0, requestHeaders: {}, endpoints: [], serviceMesh: undefined })).toEqual({ name: 'p' });
  });
});

describe('MesheryResult', () => {
  const fortio = fortioFile();
  const profileId = '0b5f6c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';

  it('has camelCase tags and always a testId', () => {
    const body = mesheryResultBody({ name: 't', mesh: 'ISTIO', performanceProfile: profileId, testId: '', runnerResults: runnerResultsFrom(fortio), testStartTime: '2031-02-03T04:05:06.123456789Z' });
    expect(Object.keys(body)).toEqual(['name', 'mesh', 'performanceProfile', 'testId', 'runnerResults', 'testStartTime']);
    expect(body.testId).toBe('');
  });

  it('has snake_case tags for older Meshery', () => {
    const body = mesheryResultBody({ testId: 'abc', runnerResults: {}, performanceProfile: profileId, serverMetrics: { a: 1 } }, 'snake');
    expect(Object.keys(body)).toEqual(['performance_profile', 'test_id', 'runner_results', 'server_metrics']);
  });

  it('leaves out a start time Go could not parse and a profile id that is not a UUID', () => {
    expect(mesheryResultBody({ testId: 'a', runnerResults: {}, testStartTime: 'yesterday', performanceProfile: '12' })).toEqual({ testId: 'a', runnerResults: {} });
  });

  it('keeps Fortio JSON, adds what Meshery needs and redacts secrets', () => {
    const rr = runnerResultsFrom({ ...fortio, URL: 'https://u:p4ss@x.example.invalid/', RunType: undefined, Headers: { Authorization: ['Bearer zzz-tok'] } });
    expect(rr.RunType).toBe('HTTP');
    expect(rr['load-generator']).toBe('fortio');
    expect(rr.URL).toBe('https://redacted@x.example.invalid/');
    expect(rr.Headers).toEqual({ Authorization: ['[redacted]'] });
    expect(rr.DurationHistogram).toEqual(fortio.DurationHistogram);
    expect(runnerResultsFrom({ RunType: 'HTTP', 'load-generator': 'wrk2' })['load-generator']).toBe('wrk2');
  });
});

describe('sanitizeJson', () => {
  it('redacts sensitive keys at any depth and leaves the rest', () => {
    expect(sanitizeJson({ a: { password: 'x1', list: [{ api_key: 'k' }], n: 3, url: 'http://a:b@h.example.invalid' } })).toEqual({
      a: { password: '[redacted]', list: [{ api_key: '[redacted]' }], n: 3, url: 'http://redacted@h.example.invalid/' },
    });
  });
});
