import { describe, expect, it } from 'vitest';
import { durationProblem, GO_MAX_DURATION, parseGoDuration, parseGoDurationNs, requirePositiveDuration } from './duration.js';

describe('Go durations', () => {
  it('parses exactly, in nanoseconds, as time.ParseDuration does', () => {
    expect(parseGoDurationNs('1m30s')).toBe(90_000_000_000n);
    expect(parseGoDurationNs('1.5h')).toBe(5_400_000_000_000n);
    expect(parseGoDurationNs('250ms')).toBe(250_000_000n);
    expect(parseGoDurationNs('1µs')).toBe(1000n);
    expect(parseGoDurationNs('0')).toBe(0n);
    expect(parseGoDurationNs(GO_MAX_DURATION)).toBe((1n << 63n) - 1n);
    expect(parseGoDurationNs('2562047h47m16.854775808s')).toBe('overflow');
    expect(parseGoDurationNs('99999999999999999999h')).toBe('overflow');
    expect(parseGoDurationNs('forever')).toBeUndefined();
    expect(parseGoDurationNs('-5s')).toBeUndefined();
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('99999999999999999999h')).toBeUndefined();
  });

  it('refuses run lengths that are zero, under 1ms or beyond Go, saying which', () => {
    expect(durationProblem('30s')).toBeUndefined();
    expect(durationProblem('1ms')).toBeUndefined();
    expect(durationProblem('0s')).toMatch(/must be longer than zero/);
    expect(durationProblem('999us')).toMatch(/shorter than 1ms/);
    expect(durationProblem('1ns')).toMatch(/shorter than 1ms/);
    expect(durationProblem('2562047h47m16.854775808s')).toMatch(/longer than Go's maximum duration 2562047h47m16\.854775807s/);
    expect(durationProblem('abc')).toMatch(/not a Go duration/);
    expect(() => requirePositiveDuration('0s', '--duration')).toThrow(/^--duration: "0s" must be longer than zero/);
  });
});
