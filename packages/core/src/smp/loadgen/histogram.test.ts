import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, MAX_LATENCY_US, percentileMs, recordMs } from './histogram.js';

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
});
