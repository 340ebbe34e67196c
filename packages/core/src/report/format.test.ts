import { describe, expect, it } from 'vitest';
import { timelineOf } from '../../../../test/support/load-run.js';
import { downsampleTimeline } from './downsample.js';
import { escapeMd, formatCount, formatMs, formatNumber, formatPercent } from './format.js';

describe('formatPercent', () => {
  it('prints a fraction as a percentage', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.01)).toBe('1%');
    expect(formatPercent(0.0123)).toBe('1.23%');
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('never rounds a non-zero rate to 0% or a partial one to 100%', () => {
    expect(formatPercent(3e-6)).toBe('<0.01%');
    expect(formatPercent(0.99999)).toBe('>99.9%');
  });

  it('prints a dash for a figure that does not exist', () => {
    expect(formatPercent(Number.NaN)).toBe('–');
  });
});

describe('number formats', () => {
  it('drops trailing zeros and scales decimals to the size of a latency', () => {
    expect(formatNumber(12.3, 2)).toBe('12.3');
    expect(formatNumber(250, 2)).toBe('250');
    expect(formatMs(0.25)).toBe('0.25');
    expect(formatMs(1.2346)).toBe('1.235');
    expect(formatMs(12.345)).toBe('12.35');
    expect(formatMs(312.44)).toBe('312.4');
    expect(formatMs(1500.2)).toBe('1500');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});

describe('escapeMd', () => {
  it('escapes markup and table separators and joins lines', () => {
    expect(escapeMd('p99<250ms')).toBe('p99\\<250ms');
    expect(escapeMd('a|b')).toBe('a\\|b');
    expect(escapeMd('*bold* _it_ [x](y) `c` ~~s~~ $m$')).toBe('\\*bold\\* \\_it\\_ \\[x\\](y) \\`c\\` \\~\\~s\\~\\~ \\$m\\$');
    expect(escapeMd('line1\nline2\r\nline3')).toBe('line1 line2 line3');
    expect(escapeMd('<script>&amp;')).toBe('\\<script\\>\\&amp;');
  });
});

describe('downsampleTimeline', () => {
  it('leaves a short timeline as it is', () => {
    const pts = downsampleTimeline(timelineOf(60), 120);
    expect(pts).toHaveLength(60);
    expect(pts[0]).toEqual({ fromSecond: 1, toSecond: 1, requests: 100, errors: 0, p50_ms: 1, p99_ms: 5 });
  });

  it('keeps an hour-long soak within the point limit', () => {
    const pts = downsampleTimeline(timelineOf(3600), 120);
    expect(pts).toHaveLength(120);
    expect(pts[0]!.fromSecond).toBe(1);
    expect(pts[0]!.toSecond).toBe(30);
    expect(pts[119]!.toSecond).toBe(3600);
    expect(downsampleTimeline(timelineOf(3601), 120).length).toBeLessThanOrEqual(120);
  });

  it('averages rates, weighs p50 by requests, and keeps the worst p99, so a one-second stall stays visible', () => {
    const tl = timelineOf(10, (s) => (s === 7 ? { requests: 10, errors: 5, p50_ms: 3, p99_ms: 500 } : { requests: 100, p50_ms: 1, p99_ms: 5 }));
    const pts = downsampleTimeline(tl, 2);
    expect(pts).toHaveLength(2);
    expect(pts[1]).toEqual({ fromSecond: 6, toSecond: 10, requests: 82, errors: 1, p50_ms: (400 * 1 + 10 * 3) / 410, p99_ms: 500 });
    expect(pts[0]!.p99_ms).toBe(5);
  });

  it('handles an empty timeline and a last group shorter than the others', () => {
    expect(downsampleTimeline([], 120)).toEqual([]);
    const pts = downsampleTimeline(timelineOf(5), 2);
    expect(pts.map((p) => [p.fromSecond, p.toSecond])).toEqual([[1, 3], [4, 5]]);
  });
});
