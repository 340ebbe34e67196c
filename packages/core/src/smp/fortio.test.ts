import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { histogramOf, makeContext, makeRun } from '../../../../test/support/load-run.js';
import { compileSchemaFile, errorsOf } from '../../../../test/support/schemas.js';
import { structureDiff } from '../../../../test/support/structure.js';
import { fixturePath } from '../../../../test/support/fixtures.mjs';
import { buildFortioResult, FORTIO_BUCKET_EDGES, fortioBucketIndex, fortioHistogram, goTimeString } from './fortio.js';

// The real `fortio load -json` output from layer5io/getnighthawk, kept in test/fixtures/fortio/.
const REFERENCE_FILE = fixturePath('fortio', 'getnighthawk-sample_data_fortio.json');
const reference = JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Record<string, unknown>;
const validate = compileSchemaFile('fortio-result.schema.json');

const ramp = Array.from({ length: 1000 }, (_, i) => (i + 1) * 100); // 0.1 .. 100 ms

describe('structureDiff', () => {
  it('finds missing keys, extra keys and type changes, and can fail', () => {
    expect(structureDiff({ a: 1, b: { c: 's' }, d: [{ e: 1 }] }, { a: 2, b: { c: 't' }, d: [{ e: 3 }, { e: 4 }] })).toEqual([]);
    expect(structureDiff({ a: 1, b: 's' }, { a: '1', c: true })).toEqual(['$.a: reference is number, ours is string', '$.b: missing in ours', '$.c: not in the reference']);
    expect(structureDiff({ d: [{ e: 1 }] }, { d: [{ e: null }] })).toEqual(['$.d[0].e: reference is number, ours is null']);
    expect(structureDiff({ m: { a: 1 } }, { m: { b: 2, c: 3 } }, { maps: ['$.m'] })).toEqual([]);
    expect(structureDiff({ m: { a: 1 } }, { m: { b: 'x' } }, { maps: ['$.m'] })).toEqual(['$.m.b: reference is number, ours is string']);
  });
});

describe('buildFortioResult', () => {
  it('has the same keys and types as a real Fortio result at every path', () => {
    const run = makeRun({ correctedUs: ramp, statusCodes: { '200': 990, '503': 10 }, errorKinds: { timeout: 1 } });
    const ours = JSON.parse(JSON.stringify(buildFortioResult(run, makeContext())));
    // RetCodes is a map: its keys are data (status codes), its values must be numbers like the reference's.
    expect(structureDiff(reference, ours, { maps: ['$.RetCodes'] })).toEqual([]);
    expect(structureDiff(reference, ours)).toEqual(['$.RetCodes.503: not in the reference', '$.RetCodes.-1: not in the reference']);
  });

  it('keeps that shape for a run without any response', () => {
    const ours = JSON.parse(JSON.stringify(buildFortioResult(makeRun({ errorKinds: { refused: 5 } }), makeContext())));
    expect(structureDiff(reference, ours, { maps: ['$.RetCodes'] })).toEqual([]);
    // Meshery's chart reads DurationHistogram.Data[0].Start: the array must not be empty.
    expect(ours.DurationHistogram.Data.length).toBeGreaterThan(0);
    expect(ours.RetCodes).toEqual({ '-1': 5 });
    // Nothing measured: Count 0 and no percentiles, never a 0 s latency.
    expect(ours.DurationHistogram.Count).toBe(0);
    expect(ours.DurationHistogram.Percentiles).toEqual([]);
    expect(ours.Sizes.Count).toBe(5);
  });

  it('reports durations in seconds: 250 µs is 0.00025 s', () => {
    const f = buildFortioResult(makeRun({ correctedUs: [250, 250] }), makeContext());
    const h = f.DurationHistogram;
    expect([h.Min, h.Max, h.Avg]).toEqual([0.00025, 0.00025, 0.00025]);
    expect(h.Sum).toBeCloseTo(0.0005, 12);
    expect(h.StdDev).toBe(0);
    expect(h.Percentiles!.map((p) => p.Value)).toEqual([0.00025, 0.00025, 0.00025, 0.00025, 0.00025]);
  });

  it('writes run figures in Fortio units and types', () => {
    const run = makeRun({ correctedUs: ramp, durationS: 5.1017015801, requestedQps: 100, connections: 8, statusCodes: { '200': 990, '503': 5 }, errorKinds: { timeout: 3, reset: 2 } });
    const f = buildFortioResult(run, makeContext({ profile: { duration: '1m30s', clients: makeContext().profile.clients } }), { offsetMinutes: 0 });
    expect(f.RunType).toBe('HTTP');
    expect(f.RequestedQPS).toBe('100');
    expect(f.RequestedDuration).toBe('1m30s');
    expect(f.ActualDuration).toBe(5_101_701_580);
    expect(Number.isInteger(f.ActualDuration)).toBe(true);
    expect(f.ActualQPS).toBeCloseTo(1000 / 5.1017015801, 9);
    expect(f.NumThreads).toBe(8);
    expect(f.RetCodes).toEqual({ '-1': 5, '200': 990, '503': 5 });
    expect(f.StartTime).toBe('2026-03-01T12:00:00Z');
    expect(f.Labels).toBe('Load Test -_- http://127.0.0.1:8080/');
    expect(f.URL).toBe('http://127.0.0.1:8080/');
    expect(f.Version).toBe('meshspec-0.1.0');
    expect(f.DurationHistogram.Percentiles!.map((p) => p.Percentile)).toEqual([50, 75, 90, 99, 99.9]);
  });

  it('writes RequestedQPS "max" for an unthrottled run', () => {
    expect(buildFortioResult(makeRun({ correctedUs: [1000], requestedQps: 0 }), makeContext()).RequestedQPS).toBe('max');
  });

  it('redacts the URL and the labels', () => {
    const ctx = makeContext({ profile: { duration: '5s', clients: [{ endpoint_urls: ['https://u:secretpw@example.com/?token=t0k3n'], connections: 1, rps: 1 }] } });
    const text = JSON.stringify(buildFortioResult(makeRun({ correctedUs: [1000] }), ctx));
    expect(text).not.toContain('secretpw');
    expect(text).not.toContain('t0k3n');
  });

  it('uses the corrected histogram, as smp-result.json does', () => {
    const run = makeRun({ correctedUs: [480_000], uncorrectedUs: [1_000] });
    expect(buildFortioResult(run, makeContext()).DurationHistogram.Max).toBe(0.48);
  });
});

describe('Fortio histogram buckets', () => {
  it('uses fortio stats.go bucket edges', () => {
    expect(FORTIO_BUCKET_EDGES.slice(0, 13)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(FORTIO_BUCKET_EDGES.slice(-6)).toEqual([20000, 30000, 40000, 50000, 75000, 100000]);
    expect(FORTIO_BUCKET_EDGES).toHaveLength(56);
  });

  it('puts a value into ]previous edge, edge], as Fortio does', () => {
    expect(fortioBucketIndex(0)).toBe(0);
    expect(fortioBucketIndex(0.5)).toBe(1); // ]0,1]
    expect(fortioBucketIndex(1)).toBe(1); // on the edge: the bucket it closes
    expect(fortioBucketIndex(1.001)).toBe(2);
    expect(fortioBucketIndex(12)).toBe(12); // ]11,12]
    expect(fortioBucketIndex(12.5)).toBe(13); // ]12,14]
    expect(fortioBucketIndex(1500)).toBe(44); // ]1000,2000]
    expect(fortioBucketIndex(100000)).toBe(55);
    expect(fortioBucketIndex(100001)).toBe(56); // > 100 s
  });

  it('exports Data like Fortio: cumulative Percent, first Start = Min, last End = Max, empty buckets skipped', () => {
    // µs: 0.5 ms, 1 ms (edge), 12 ms (edge), 12.5 ms, 150 ms
    const h = fortioHistogram(histogramOf([500, 1000, 12_000, 12_500, 150_000]));
    expect(h.Data).toEqual([
      { Start: 0.0005, End: 0.001, Percent: 40, Count: 2 },
      { Start: 0.011, End: 0.012, Percent: 60, Count: 1 },
      { Start: 0.012, End: 0.014, Percent: 80, Count: 1 },
      { Start: 0.14, End: expect.closeTo(0.15, 3), Percent: 100, Count: 1 },
    ]);
    expect(h.Count).toBe(5);
    expect(h.Min).toBe(0.0005);
    expect(h.Data.reduce((a, b) => a + b.Count, 0)).toBe(h.Count);
  });

  it('puts values above 100 s into an overflow bucket that starts at 100 s', () => {
    const h = fortioHistogram(histogramOf([150_000_000]));
    expect(h.Data).toHaveLength(1);
    expect(h.Data[0]!.Start).toBe(100);
    expect(h.Data[0]!.End).toBeCloseTo(150, 0);
  });
});

describe('goTimeString', () => {
  const t = new Date('2020-09-08T10:59:19.350Z');
  it('prints RFC3339 with the zone offset and trims trailing zeros, as Go does', () => {
    expect(goTimeString(t, 330)).toBe('2020-09-08T16:29:19.35+05:30');
    expect(goTimeString(t, -420)).toBe('2020-09-08T03:59:19.35-07:00');
    expect(goTimeString(t, 0)).toBe('2020-09-08T10:59:19.35Z');
    expect(goTimeString(new Date('2020-09-08T10:59:19.000Z'), 0)).toBe('2020-09-08T10:59:19Z');
  });
});

describe('schemas/fortio-result.schema.json', () => {
  const good = () => JSON.parse(JSON.stringify(buildFortioResult(makeRun({ correctedUs: ramp }), makeContext()))) as Record<string, any>;

  it('accepts the real Fortio file and ours', () => {
    expect(validate(reference), errorsOf(validate).join('\n')).toBe(true);
    const ours = good();
    expect(validate(ours), errorsOf(validate).join('\n')).toBe(true);
    const empty = JSON.parse(JSON.stringify(buildFortioResult(makeRun({ requestedQps: 0 }), makeContext())));
    expect(validate(empty), errorsOf(validate).join('\n')).toBe(true);
  });

  it('rejects a missing histogram and a numeric RequestedQPS', () => {
    const a = good();
    delete a.DurationHistogram;
    expect(validate(a)).toBe(false);
    const b = good();
    b.RequestedQPS = 100;
    expect(validate(b)).toBe(false);
  });

  it('rejects ActualDuration in seconds and latencies in milliseconds', () => {
    const a = good();
    a.ActualDuration = 5.1;
    expect(validate(a)).toBe(false);
    const b = good();
    // 5 s written as 5000 (ms) where Fortio expects seconds. (Below an hour, units cannot be told apart.)
    b.DurationHistogram.Max = 5000;
    const c = good();
    // 250 µs written as 250 (µs) in a percentile.
    c.DurationHistogram.Percentiles[0].Value = 250_000;
    expect(validate(c)).toBe(false);
    expect(validate(b)).toBe(false);
    expect(errorsOf(validate).join('\n')).toMatch(/DurationHistogram\/Max maximum/);
  });

  it('rejects an SMP result (milliseconds, snake_case)', () => {
    expect(validate({ smp_version: 'v0.0.1', latencies_ms: { p50: 12 }, actual_qps: 10 })).toBe(false);
  });
});
