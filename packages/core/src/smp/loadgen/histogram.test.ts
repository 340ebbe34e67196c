import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, LatencyTally, MAX_LATENCY_US, percentileMs, recordMs } from './histogram.js';

describe('latency histograms', () => {
  it('records ms as µs with 3 significant digits', () => {
    const h = createLatencyHistogram();
    recordMs(h, 1.2344); // 1234 µs: exact below 2048
    recordMs(h, 123.456); // 123456 µs: within 0.1%
    expect(h.totalCount).toBe(2);
    expect(percentileMs(h, 0)).toBe(1.234);
    expect(Math.abs(percentileMs(h, 100) - 123.456) / 123.456).toBeLessThan(0.001);
  });

  it('clamps negative and huge values and keeps its size whatever the count', () => {
    const h = createLatencyHistogram();
    recordMs(h, -5);
    recordMs(h, 1e12);
    expect(percentileMs(h, 0)).toBe(0);
    expect(h.maxValue).toBeLessThanOrEqual(MAX_LATENCY_US * 1.001);
    const g = createLatencyHistogram();
    recordMs(g, 5);
    const size = g.estimatedFootprintInBytes;
    for (let i = 0; i < 200_000; i++) recordMs(g, (i % 5000) / 10);
    expect(g.estimatedFootprintInBytes).toBe(size);
  });

  it('a tally drained into a histogram equals recording every value into it', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = [-3, 0, 0.0004, 0.0005, 65.535, 65.5355, 65.536, 1e12];
    for (let i = 0; i < 50_000; i++) values.push(random() < 0.9 ? random() * 5 : random() * 200);
    const direct = createLatencyHistogram();
    const viaTally = createLatencyHistogram();
    const tally = new LatencyTally(viaTally);
    for (const [k, ms] of values.entries()) {
      recordMs(direct, ms);
      tally.recordMs(ms);
      if (k === 20_000) tally.drainInto(viaTally); // drains mid-way add up too
    }
    tally.drainInto(viaTally);
    tally.drainInto(viaTally); // a drained tally is empty
    expect(viaTally.totalCount).toBe(values.length);
    for (const field of ['totalCount', 'minNonZeroValue', 'maxValue', 'mean', 'stdDeviation'] as const) expect(viaTally[field], field).toBe(direct[field]);
    for (let p = 0; p <= 100; p += 0.5) expect(viaTally.getValueAtPercentile(p), `p${p}`).toBe(direct.getValueAtPercentile(p));
  });
});
