// Warm-up and repeats against a real local server: the warm-up's slow start is in no figure, and
// each measured window is reported with the median and spread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeLoadGenerator } from '../../packages/core/src/smp/loadgen/native.js';
import { buildMeasuredResult, measureWithNoiseControl } from '../../packages/core/src/smp/repeats.js';
import type { LoadPlan } from '../../packages/core/src/smp/loadgen/types.js';
import { silentLogger } from '../../packages/core/src/log.js';
import { makeContext } from '../support/load-run.js';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';
import { httpTarget, type Target } from './servers.js';

describe.sequential('noise control with the native generator', () => {
  let target: Target;
  let served = 0;
  let slowUntil = 0;

  beforeAll(async () => {
    // A cold service: every response is 300 ms late until warm, as a JIT or a cold cache would be.
    target = await httpTarget((_req, res) => {
      served++;
      if (slowUntil === 0) slowUntil = Date.now() + 1_000;
      const delay = Date.now() < slowUntil ? 300 : 0;
      setTimeout(() => res.end('ok'), delay);
    });
  });
  afterAll(() => target.close());

  it('leaves the warm-up out of every figure and reports the median and spread of the repeats', async () => {
    const plan: LoadPlan = {
      clients: [{ urls: [`${target.url}/`], connections: 4, rps: 40, method: 'GET', headers: {}, cookies: {} }],
      durationMs: 1_000,
      requestTimeoutMs: 5_000,
    };
    const measured = await measureWithNoiseControl(new NativeLoadGenerator(), plan, { warmupMs: 1_500, repeat: 3 }, silentLogger);
    expect(measured.runs).toHaveLength(3);
    expect(measured.warmupS).toBeGreaterThanOrEqual(1.5);
    const windowRequests = measured.runs.map((r) => r.requests);
    const { result } = buildMeasuredResult(measured, makeContext({ profile: { duration: '1s', clients: makeContext().profile.clients } }), plan);

    // The warm-up's requests were served but are in no count, and its 300 ms latencies in no percentile.
    expect(result.stats.requests).toBe(windowRequests.reduce((a, n) => a + n, 0));
    expect(served).toBeGreaterThan(result.stats.requests + 40);
    expect(result.latencies_ms.max).toBeLessThan(250);
    expect(result.stats.warmup_s).toBeGreaterThanOrEqual(1.5);

    const repeats = result.stats.repeats!;
    expect(repeats.count).toBe(3);
    expect(repeats.runs).toHaveLength(3);
    for (const m of ['p50', 'p99', 'actual_qps'] as const) {
      const values = repeats.runs.map((r) => r[m]!);
      expect(repeats.spread[m]).toEqual({ min: Math.min(...values), max: Math.max(...values) });
      expect(repeats.median[m]).toBe([...values].sort((a, b) => a - b)[1]);
    }
    expect(result.latencies_ms.p99).toBe(repeats.median.p99);
    expect(result.actual_qps).toBe(repeats.median.actual_qps);

    const validate = compileSchemaFile('smp-result.schema.json');
    expect(validate(result), errorsOf(validate).join('\n')).toBe(true);
  });
});
