import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { makeContext, makeRun, timelineOf } from '../../../../test/support/load-run.js';
import { compileSchemaFile, errorsOf } from '../../../../test/support/schemas.js';
import { buildSmpResult, compactBucketEdgeMs, type SmpResult } from './result.js';

const validate = compileSchemaFile('smp-result.schema.json');

/** 1000 values: 1..1000 µs, so percentiles are easy to reason about. */
const ramp = Array.from({ length: 1000 }, (_, i) => i + 1);

describe('buildSmpResult', () => {
  it('reports latencies in milliseconds: 250 µs is 0.25 ms', () => {
    const r = buildSmpResult(makeRun({ correctedUs: [250, 250, 250] }), makeContext());
    expect(r.latencies_ms).toEqual({ min: 0.25, average: 0.25, p50: 0.25, p90: 0.25, p99: 0.25, max: 0.25 });
  });

  it('takes latencies_ms from the corrected histogram and keeps the uncorrected ones under stats', () => {
    // A stall: corrected latencies include the wait for a free connection, uncorrected ones do not.
    const corrected = [...ramp.slice(0, 900), ...Array.from({ length: 100 }, () => 480_000)];
    const r = buildSmpResult(makeRun({ correctedUs: corrected, uncorrectedUs: ramp }), makeContext());
    expect(r.latencies_ms.p99).toBeCloseTo(480, 0);
    expect(r.latencies_ms.p50).toBeCloseTo(0.5, 3);
    expect(r.stats.uncorrected_latencies_ms.p99).toBeCloseTo(0.99, 3);
    expect(r.stats.uncorrected_latencies_ms.max).toBe(1);
    const p99 = r.stats.percentiles_ms.find((p) => p.percentile === 99)!;
    expect(p99.corrected).toBeGreaterThan(100 * p99.uncorrected!);
  });

  it('fills SMP fields, ids and times', () => {
    const run = makeRun({ correctedUs: ramp, durationS: 10 });
    const r = buildSmpResult(run, makeContext({ detailsUri: 'https://github.com/o/r/actions/runs/1', profile: { id: 'prof-1', duration: '10s', clients: makeContext().profile.clients } }));
    expect(r.smp_version).toBe('v0.0.1');
    expect(r.id).toBe('0b8f5a53-3c61-4a3e-9d0e-5b1d7a0c2f11');
    expect(r.start_time).toBe('2026-03-01T12:00:00.000Z');
    expect(r.end_time).toBe('2026-03-01T12:00:10.000Z');
    expect(r.actual_qps).toBe(100);
    expect(r.test_id).toBe('prof-1');
    expect(r.details_uri).toBe('https://github.com/o/r/actions/runs/1');
    expect(r.mesh).toEqual({ type: 5, version: '2.14.0', labels: {}, annotations: {} });
    expect(r.stats.mesh_name).toBe('Linkerd');
    expect(r.stats.load_generator).toBe('native');
    // Ids that mean nothing here are left out rather than filled with placeholders.
    expect(r).not.toHaveProperty('mesh_config_id');
    expect(r).not.toHaveProperty('env_id');
    expect(Object.keys(r).slice(0, 7)).toEqual(['smp_version', 'id', 'labels', 'start_time', 'end_time', 'latencies_ms', 'actual_qps']);
  });

  it('counts requests, errors, error rate, status codes and error kinds', () => {
    const run = makeRun({ correctedUs: ramp.slice(0, 97), statusCodes: { '200': 95, '503': 2 }, errorKinds: { timeout: 3 } });
    const r = buildSmpResult(run, makeContext());
    expect(r.stats.requests).toBe(100);
    expect(r.stats.errors).toBe(5);
    expect(r.stats.error_rate).toBe(0.05);
    expect(r.stats.status_codes).toEqual({ '200': 95, '503': 2 });
    expect(r.stats.error_kinds).toEqual({ timeout: 3 });
  });

  it('has error_rate 0, not NaN, and null latencies (never 0) when nothing completed', () => {
    const r = buildSmpResult(makeRun({ durationS: 0 }), makeContext({ cancelled: true }));
    expect(r.stats.error_rate).toBe(0);
    expect(r.actual_qps).toBe(0);
    expect(r.latencies_ms).toEqual({ min: null, average: null, p50: null, p90: null, p99: null, max: null });
    expect(r.stats.uncorrected_latencies_ms).toEqual({ p50: null, p90: null, p99: null, max: null, average: null });
    expect(r.stats.percentiles_ms.every((p) => p.corrected === null && p.uncorrected === null)).toBe(true);
    expect(r.stats.cancelled).toBe(true);
    expect(JSON.stringify(r)).not.toMatch(/NaN/);
    expect(validate(r), errorsOf(validate).join('\n')).toBe(true);
  });

  it('redacts credentials again in everything it copies from the context', () => {
    const ctx = makeContext({
      detailsUri: 'https://user:pw@example.com/x?token=abc',
      profile: {
        duration: '10s',
        clients: [
          {
            endpoint_urls: ['https://admin:hunter2@api.example.com/v1?api_key=s3cret&page=2'],
            connections: 2,
            rps: 10,
            headers: { Authorization: 'Bearer abc.def', 'X-Trace': 'keep-me' },
            cookies: { session: 'cookie-value' },
            body: '{"password":"pw"}',
          },
        ],
      },
    });
    const run = makeRun({ correctedUs: [1000], perUrl: { 'https://admin:hunter2@api.example.com/v1?api_key=s3cret': 1 } });
    const text = JSON.stringify(buildSmpResult(run, ctx));
    for (const secret of ['hunter2', 's3cret', 'abc.def', 'cookie-value', '"pw"', 'user:pw', 'token=abc']) expect(text).not.toContain(secret);
    expect(text).toContain('keep-me');
    expect(text).toContain('page=2');
    const r = JSON.parse(text) as SmpResult;
    expect(r.test.clients[0]!.body_bytes).toBe(17);
  });

  it('keeps a compact bucket list and the exact hdr histograms', () => {
    const r = buildSmpResult(makeRun({ correctedUs: [250, 900, 1000, 1100, 40_000] }), makeContext());
    expect(r.stats.histogram.buckets).toEqual([
      { le_ms: 0.25, count: 1 },
      { le_ms: 1, count: 2 },
      { le_ms: 1.25, count: 1 },
      { le_ms: 40, count: 1 },
    ]);
    expect(r.stats.histogram.buckets.reduce((a, b) => a + b.count, 0)).toBe(5);
    const decoded = decodeFromCompressedBase64(r.stats.histogram.hdr_corrected_us);
    expect(decoded.totalCount).toBe(5);
    expect(decoded.maxValue).toBeGreaterThanOrEqual(40_000);
  });

  it('copies the per-second timeline', () => {
    const r = buildSmpResult(makeRun({ correctedUs: [1000], timeline: timelineOf(3, (s) => ({ p99_ms: s * 1.23456, uncorrected_p90_ms: s * 0.98765 })) }), makeContext());
    expect(r.stats.timeline).toHaveLength(3);
    // Corrected and uncorrected p50/p90/p99 of every second, for report.html's latency-over-time chart.
    expect(r.stats.timeline[2]).toEqual({ second: 3, requests: 100, errors: 0, p50_ms: 1, p90_ms: 3, p99_ms: 3.704, uncorrected_p50_ms: 1, uncorrected_p90_ms: 2.963, uncorrected_p99_ms: 5 });
  });
});

describe('compactBucketEdgeMs', () => {
  it('uses ten edges per decade and puts a value on an edge into that edge', () => {
    expect(compactBucketEdgeMs(1)).toBe(1);
    expect(compactBucketEdgeMs(1.01)).toBe(1.25);
    expect(compactBucketEdgeMs(7)).toBe(8);
    expect(compactBucketEdgeMs(8.5)).toBe(10);
    expect(compactBucketEdgeMs(0.25)).toBe(0.25);
    expect(compactBucketEdgeMs(312.4)).toBe(315);
    expect(compactBucketEdgeMs(316)).toBe(400);
    expect(compactBucketEdgeMs(0)).toBe(0.001);
  });
});

describe('schemas/smp-result.schema.json', () => {
  const good = () => JSON.parse(JSON.stringify(buildSmpResult(makeRun({ correctedUs: ramp, timeline: timelineOf(10) }), makeContext({ env: { kubernetes_version: 'v1.30.0', nodes: [{ type: 'n2', cores: 4, mem_mb: 16384 }] } })))) as Record<string, any>;

  it('accepts a built result', () => {
    const r = good();
    expect(validate(r), errorsOf(validate).join('\n')).toBe(true);
  });

  it('rejects a result missing a required field', () => {
    const r = good();
    delete r.latencies_ms.p99;
    expect(validate(r)).toBe(false);
    expect(errorsOf(validate).join('\n')).toMatch(/latencies_ms required/);
    const s = good();
    delete s.stats.requests;
    expect(validate(s)).toBe(false);
  });

  it('rejects latencies under a seconds name instead of latencies_ms', () => {
    const r = good();
    r.latencies_s = r.latencies_ms;
    delete r.latencies_ms;
    expect(validate(r)).toBe(false);
  });

  it('rejects a Fortio-shaped (seconds) body', () => {
    expect(validate({ RunType: 'HTTP', DurationHistogram: { Min: 0.0001, Max: 0.2 }, ActualQPS: 10 })).toBe(false);
  });

  it('rejects non-UTC times, negative latencies and an error rate given as a percentage', () => {
    const a = good();
    a.start_time = '2026-03-01T13:00:00+01:00';
    expect(validate(a)).toBe(false);
    const b = good();
    b.latencies_ms.min = -1;
    expect(validate(b)).toBe(false);
    const c = good();
    c.stats.error_rate = 5;
    expect(validate(c)).toBe(false);
  });
});
