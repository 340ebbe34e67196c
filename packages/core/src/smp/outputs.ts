import type { SmpResult } from './result.js';

/**
 * The step outputs of an SMP run, from smp-result.json's own figures so both always agree.
 * A latency that does not exist (no request measured one) is an empty output, never 0: a later
 * step comparing `p99_ms < 250` must not pass on a dead service.
 */
export function smpOutputs(result: SmpResult): Record<string, string | number> {
  const s = result.stats;
  const ms = (v: number | null) => (v === null ? '' : v);
  return {
    p50_ms: ms(result.latencies_ms.p50),
    p90_ms: ms(result.latencies_ms.p90),
    p99_ms: ms(result.latencies_ms.p99),
    latencies_lower_bound: String(s.latencies_lower_bound),
    actual_qps: result.actual_qps,
    success_qps: s.success_qps,
    error_rate: s.error_rate,
    requests: s.requests,
    intended: s.intended,
    sent: s.sent,
    unsent: s.unsent,
    ok: s.ok,
    failed: s.failed,
    cut: s.cut,
    // meshed − plain; empty when the run was not compared without the mesh, or a side measured no latency.
    overhead_p50_ms: ms(s.mesh_overhead?.deltas.p50_ms.change ?? null),
    overhead_p99_ms: ms(s.mesh_overhead?.deltas.p99_ms.change ?? null),
  };
}
