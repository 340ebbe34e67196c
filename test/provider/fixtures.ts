/**
 * Test data for the provider client, in the shapes of our result files (DESIGN.md, "Output
 * directory"): Meshery's SmiResult with string values as on the SMI dashboard, plus our own
 * per-step detail; an SMP PerformanceTestResult; a Fortio HTTPRunnerResults object.
 */

/** Unpadded standard base64 of an OAuth2 token JSON, as auth.json holds it. */
export function encodeToken(token: { access_token: string; refresh_token?: string; expiry?: string; token_type?: string }): string {
  return Buffer.from(JSON.stringify({ token_type: 'bearer', ...token })).toString('base64').replace(/=+$/, '');
}

/** A dashboard-style entry (meshery.io `_data/smi.json`): every value a string, ids not UUIDs. */
export const dashboardEntry = {
  id: '2',
  date: '2020-10-14T20:14:48+05:30',
  mesh_name: 'Traefik Mesh',
  mesh_version: 'v1.4.1',
  cases_passed: '10',
  passing_percentage: '49.6%',
  status: 'completed',
  more_details: [
    {
      smi_specification: 'traffic-access',
      smi_version: 'v1alpha1',
      time: '1m6.134448636s',
      assertions: '12',
      result: 'no matches for kind "TrafficTarget" in version "access.smi-spec.io/v1alpha1"',
      reason: 'failed in step 4-install',
      capability: 'HALF',
      status: 'FAILED',
    },
  ],
  previous_versions: [],
};

export function smiResultFile(): Record<string, unknown> {
  return {
    id: '5d2c9a4e-8f7b-4c1e-9a0b-2f6e1d3c4b5a',
    date: '2031-02-03T04:05:06Z',
    mesh_name: 'Open Service Mesh',
    mesh_version: 'v1.2.0',
    cases_passed: '2',
    passing_percentage: '66.7%',
    status: 'completed',
    more_details: [
      {
        smi_specification: 'traffic-access',
        smi_version: 'v1alpha3',
        time: '41.2s',
        assertions: '12',
        result: 'all assertions passed',
        reason: '',
        capability: 'FULL',
        status: 'PASSED',
        steps: [{ name: '1-install', status: 'PASSED', duration_s: 3.1, detail: 'applied TrafficTarget' }],
      },
      {
        smi_specification: 'traffic-split',
        smi_version: 'v1alpha4',
        time: '55.0s',
        assertions: '9',
        result: 'backend weights 50/50 expected, saw 100/0',
        reason: 'failed in step 3-assert',
        capability: 'NONE',
        status: 'FAILED',
        steps: [{ name: '3-assert', status: 'FAILED', detail: 'weights ignored' }],
      },
    ],
    cases_total: '3',
    specs: ['traffic-access', 'traffic-split'],
  };
}

export function fortioFile(url = 'https://shop.example.invalid/checkout'): Record<string, unknown> {
  const hist = (count: number, min: number, max: number) => ({
    Count: count,
    Min: min,
    Max: max,
    Sum: ((min + max) / 2) * count,
    Avg: (min + max) / 2,
    StdDev: (max - min) / 4,
    Data: [
      { Start: min, End: (min + max) / 2, Percent: 90, Count: Math.round(count * 0.9) },
      { Start: (min + max) / 2, End: max, Percent: 100, Count: count - Math.round(count * 0.9) },
    ],
  });
  return {
    RunType: 'HTTP',
    Labels: 'checkout',
    StartTime: '2031-02-03T04:05:06.123456789Z',
    RequestedQPS: '100',
    RequestedDuration: '30s',
    ActualQPS: 99.7,
    ActualDuration: 30_001_000_000,
    NumThreads: 4,
    Version: 'meshspec',
    DurationHistogram: {
      ...hist(2991, 0.0012, 0.0481),
      Percentiles: [
        { Percentile: 50, Value: 0.0031 },
        { Percentile: 75, Value: 0.0042 },
        { Percentile: 90, Value: 0.0065 },
        { Percentile: 99, Value: 0.0212 },
        { Percentile: 99.9, Value: 0.0455 },
      ],
    },
    Exactly: 0,
    Jitter: false,
    RetCodes: { '200': 2990, '503': 1 },
    Sizes: { ...hist(2991, 512, 530), Percentiles: null },
    HeaderSizes: { ...hist(2991, 120, 122), Percentiles: null },
    URL: url,
    SocketCount: 4,
    AbortOn: 0,
  };
}

export function smpResultFile(): Record<string, unknown> {
  return {
    smp_version: 'v0.0.1',
    id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    labels: { test: 'checkout' },
    start_time: '2031-02-03T04:05:06.123Z',
    end_time: '2031-02-03T04:05:36.124Z',
    latencies_ms: { min: 1.2, average: 3.4, p50: 3.1, p90: 6.5, p99: 21.2, max: 48.1 },
    actual_qps: 99.7,
    env: {},
    mesh: { type: 10, version: 'v1.2.0', labels: {}, annotations: {} },
    test: {
      name: 'checkout',
      duration: '30s',
      clients: [
        {
          internal: false,
          load_generator: 'fortio',
          protocol: 1,
          connections: 4,
          rps: 100,
          endpoint_urls: ['https://shop.example.invalid/checkout'],
          headers: { Authorization: '[redacted]', 'X-Env': 'ci' },
          cookies: {},
          content_type: '',
        },
      ],
    },
    stats: { requests: 2991, errors: 1, status_codes: { '200': 2990, '503': 1 }, requested_qps: 100, duration_s: 30 },
  };
}
