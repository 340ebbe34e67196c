import type { SmpTimelinePoint } from '../smp/result.js';

/**
 * Shrinks a per-second timeline for charts. Mermaid renders a few hundred points at most, and an
 * hour-long soak has 3,600; DESIGN.md caps charts at about 120 points.
 *
 * Consecutive seconds are grouped (equal groups of ceil(n / maxPoints) seconds). Within a group,
 * rates are averaged (requests/s and errors/s stay per-second figures), p50 is the mean weighted
 * by each second's requests, and p99 takes the group's maximum: a one-second stall must stay
 * visible after downsampling.
 */
export interface DownsampledPoint {
  /** First and last second covered. */
  fromSecond: number;
  toSecond: number;
  /** Mean requests per second over the group. */
  requests: number;
  /** Mean errors per second over the group. */
  errors: number;
  /** null when no second of the group had a latency. */
  p50_ms: number | null;
  p99_ms: number | null;
}

export const MAX_CHART_POINTS = 120;

export function downsampleTimeline(points: readonly SmpTimelinePoint[], maxPoints = MAX_CHART_POINTS): DownsampledPoint[] {
  if (maxPoints < 1) throw new RangeError(`maxPoints must be at least 1, got ${maxPoints}`);
  const size = Math.max(1, Math.ceil(points.length / maxPoints));
  const out: DownsampledPoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const group = points.slice(i, i + size);
    const n = group.length;
    let requests = 0;
    let errors = 0;
    let p50Weighted = 0;
    let p50Plain = 0;
    let weight = 0;
    let withLatency = 0;
    let p99: number | null = null;
    for (const p of group) {
      requests += p.requests;
      errors += p.errors;
      if (p.p50_ms !== null) {
        p50Weighted += p.p50_ms * p.requests;
        weight += p.requests;
        p50Plain += p.p50_ms;
        withLatency++;
      }
      if (p.p99_ms !== null) p99 = Math.max(p99 ?? 0, p.p99_ms);
    }
    out.push({
      fromSecond: group[0]!.second,
      toSecond: group[n - 1]!.second,
      requests: requests / n,
      errors: errors / n,
      p50_ms: withLatency === 0 ? null : weight > 0 ? p50Weighted / weight : p50Plain / withLatency,
      p99_ms: p99,
    });
  }
  return out;
}
