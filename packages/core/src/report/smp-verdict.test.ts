import { describe, expect, it } from 'vitest';
import { makeContext, makeRun } from '../../../../test/support/load-run.js';
import { buildSmpResult } from '../smp/result.js';
import { evaluateThresholds, parseThresholdFlags } from '../smp/thresholds.js';
import { describeCauses, judgeRun, lowerBoundNote, rateBoundNote } from './smp-verdict.js';

const ms = (n: number, v: number) => Array.from({ length: n }, () => v * 1000);

describe('judgeRun', () => {
  it('fails a run in which no request succeeded, without thresholds, naming the dominant causes', () => {
    const r = buildSmpResult(
      makeRun({
        errorKinds: { refused: 180, timeout: 20 },
        errorSamples: { refused: [{ message: 'connect ECONNREFUSED 127.0.0.1:1', count: 180 }], timeout: [{ message: 'no complete response within 1000 ms', count: 20 }] },
      }),
      makeContext(),
    );
    const v = judgeRun(r, []);
    expect(v.failureKind).toBe('test');
    expect(v.failureMessage).toBe(
      'no request succeeded (200 failed, 0 cut, 0 unsent of 200 intended): refused ×180 (connect ECONNREFUSED 127.0.0.1:1); timeout ×20 (no complete response within 1000 ms)',
    );
  });

  it('fails an all-500 run and names the status', () => {
    const r = buildSmpResult(makeRun({ correctedUs: ms(50, 1), statusCodes: { '500': 50 } }), makeContext());
    expect(judgeRun(r, []).failureMessage).toMatch(/^no request succeeded .*: HTTP 500 ×50$/);
  });

  it('passes some failures with a warning unless a threshold covers errors', () => {
    const r = buildSmpResult(makeRun({ correctedUs: ms(100, 1), statusCodes: { '200': 90, '503': 10 }, durationS: 1 }), makeContext());
    const none = judgeRun(r, []);
    expect(none.failureKind).toBe('none');
    expect(none.warnings).toEqual(['10 of 100 requests failed (error rate 10%), and no threshold covers errors (add one such as error_rate<1%): HTTP 503 ×10']);
    const latencyOnly = judgeRun(r, evaluateThresholds(r, parseThresholdFlags(['p99<1s'])));
    expect(latencyOnly.warnings).toHaveLength(1);
    const covered = judgeRun(r, evaluateThresholds(r, parseThresholdFlags(['error_rate<20%'])));
    expect(covered).toEqual({ failureKind: 'none', warnings: [] });
  });

  it('reports a missed threshold and a cancelled run', () => {
    const r = buildSmpResult(makeRun({ correctedUs: ms(100, 300) }), makeContext());
    expect(judgeRun(r, evaluateThresholds(r, parseThresholdFlags(['p99<250ms'])))).toMatchObject({ failureKind: 'test', failureMessage: expect.stringMatching(/^1 of 1 threshold missed: p99<250ms missed/) });
    const c = buildSmpResult(makeRun({ correctedUs: ms(1, 1) }), makeContext({ cancelled: true }));
    expect(judgeRun(c, []).failureKind).toBe('cancelled');
  });
});

describe('rateBoundNote', () => {
  it('says how many were not sent and what bounds the rate: connections × latency, and the connections needed', () => {
    // 10 connections, 33 ms per response: about 303/s of the 1000/s requested.
    const r = buildSmpResult(
      makeRun({ correctedUs: ms(891, 33), uncorrectedUs: ms(891, 33), unsent: 1109, requestedQps: 1000, connections: 10, durationS: 2 }),
      makeContext(),
    );
    expect(rateBoundNote(r)).toBe(
      // hdr keeps 33 ms as 33.01 (3 significant digits): 33.01 connections needed, so 34.
      '1,109 of 2,000 intended requests (55.5%) were not sent: 10 connections × 33.01 ms per response allow at most about 303 requests/s; 34 connections would be needed for 1000/s.',
    );
    expect(lowerBoundNote(r)).toMatch(/^Latencies are lower bounds \(≥\): 1,109 unsent and 0 cut requests/);
  });

  it('names a shortfall without unsent requests, and says nothing when the rate was met', () => {
    const short = buildSmpResult(makeRun({ correctedUs: ms(800, 1), requestedQps: 100, connections: 4, durationS: 10 }), makeContext());
    expect(rateBoundNote(short)).toMatch(/^the achieved rate 80\/s is under 95% of the 100\/s requested: 4 connections × 1 ms per response allow at most about 4000 requests\/s; the target or this machine, not the connection count, held the rate back\.$/);
    const met = buildSmpResult(makeRun({ correctedUs: ms(1000, 1), requestedQps: 100, durationS: 10 }), makeContext());
    expect(rateBoundNote(met)).toBeUndefined();
    expect(lowerBoundNote(met)).toBeUndefined();
    const closed = buildSmpResult(makeRun({ correctedUs: ms(10, 1), requestedQps: 0 }), makeContext());
    expect(rateBoundNote(closed)).toBeUndefined();
  });

  it('lists the causes of failure most frequent first', () => {
    const r = buildSmpResult(makeRun({ correctedUs: ms(5, 1), statusCodes: { '502': 5 }, errorKinds: { reset: 7 }, cut: 2 }), makeContext());
    expect(describeCauses(r)).toBe('reset ×7; HTTP 502 ×5; cut ×2 (still in flight 0 s after the load window)');
  });
});
