import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../../../../test/support/input-error.js';
import { makeContext, makeRun } from '../../../../test/support/load-run.js';
import { buildSmpResult } from './result.js';
import {
  evaluateThresholds,
  formatFigure,
  parseThreshold,
  parseThresholdFlags,
  parseThresholdsInput,
  thresholdFailureMessage,
  type Threshold,
} from './thresholds.js';

const pick = (t: Threshold) => ({ metric: t.metric, op: t.op, limit: t.limit, unit: t.unit });

describe('parseThreshold: the grammar, rule by rule', () => {
  it('reads a latency with a unit', () => {
    expect(pick(parseThreshold('p99<250ms'))).toEqual({ metric: 'p99', op: '<', limit: 250, unit: 'ms' });
    expect(pick(parseThreshold('p50<=0.2s'))).toEqual({ metric: 'p50', op: '<=', limit: 0.2, unit: 's' });
    expect(pick(parseThreshold('max<900us'))).toEqual({ metric: 'max', op: '<', limit: 900, unit: 'us' });
    expect(pick(parseThreshold('min>=10µs'))).toEqual({ metric: 'min', op: '>=', limit: 10, unit: 'us' });
  });

  it('defaults latencies to milliseconds and tolerates whitespace', () => {
    expect(pick(parseThreshold('p90 < 100'))).toEqual({ metric: 'p90', op: '<', limit: 100, unit: 'ms' });
    expect(pick(parseThreshold('  p99   <=   250 ms  '))).toEqual({ metric: 'p99', op: '<=', limit: 250, unit: 'ms' });
    expect(parseThreshold('  p90 < 100 ').expression).toBe('p90 < 100');
  });

  it('accepts average, avg and mean as one metric, and metric names in any case', () => {
    expect(parseThreshold('average<5').metric).toBe('average');
    expect(parseThreshold('avg<5').metric).toBe('average');
    expect(parseThreshold('mean<5').metric).toBe('average');
    expect(parseThreshold('P99<5').metric).toBe('p99');
  });

  it('reads an error rate as a percentage or a fraction', () => {
    expect(pick(parseThreshold('error_rate<1%'))).toEqual({ metric: 'error_rate', op: '<', limit: 1, unit: '%' });
    expect(pick(parseThreshold('error_rate<0.01'))).toEqual({ metric: 'error_rate', op: '<', limit: 0.01, unit: 'fraction' });
    expect(pick(parseThreshold('error_rate <= .5 %'))).toEqual({ metric: 'error_rate', op: '<=', limit: 0.5, unit: '%' });
  });

  it('reads rates and counts', () => {
    expect(pick(parseThreshold('actual_qps>=950'))).toEqual({ metric: 'actual_qps', op: '>=', limit: 950, unit: 'rps' });
    expect(parseThreshold('actual_qps>=950rps').unit).toBe('rps');
    expect(pick(parseThreshold('requests>1000'))).toEqual({ metric: 'requests', op: '>', limit: 1000, unit: 'count' });
    expect(pick(parseThreshold('errors==0'))).toEqual({ metric: 'errors', op: '==', limit: 0, unit: 'count' });
  });

  it('accepts every operator', () => {
    for (const op of ['<', '<=', '>', '>=', '=='] as const) expect(parseThreshold(`p99${op}1`).op).toBe(op);
  });

  it('rejects a bad expression, naming it, its source and the grammar', () => {
    const e = inputErrorOf(() => parseThreshold('p99<<250ms', '--threshold'));
    expect(e.message).toContain('--threshold');
    expect(e.message).toContain('"p99<<250ms"');
    expect(e.message).toContain('A threshold is <metric><operator><number>[unit]');
    expect(e.message).toContain('error_rate<1%');
  });

  it('refuses the error_rate<1 trap and rates above 100%', () => {
    expect(inputErrorOf(() => parseThreshold('error_rate<1')).message).toContain('error_rate<1 would mean 100%; write 1% or 0.01');
    expect(inputErrorOf(() => parseThreshold('error_rate<=1.0')).message).toContain('write 1% or 0.01');
    expect(inputErrorOf(() => parseThreshold('error_rate<150%')).message).toContain('error_rate is at most 100%');
    expect(inputErrorOf(() => parseThreshold('unsent_rate<1')).message).toContain('write 1% or 0.01');
    expect(inputErrorOf(() => parseThreshold('achieved_ratio>=101%')).message).toContain('achieved_ratio is at most 100%');
    expect(pick(parseThreshold('error_rate<100%'))).toEqual({ metric: 'error_rate', op: '<', limit: 100, unit: '%' });
    expect(pick(parseThreshold('achieved_ratio>=1'))).toEqual({ metric: 'achieved_ratio', op: '>=', limit: 1, unit: 'fraction' });
    expect(pick(parseThreshold('success_qps>=950'))).toEqual({ metric: 'success_qps', op: '>=', limit: 950, unit: 'rps' });
  });

  it('rejects each kind of mistake with its own reason', () => {
    expect(inputErrorOf(() => parseThreshold('p95<250ms')).message).toContain('unknown metric "p95"');
    expect(inputErrorOf(() => parseThreshold('p99=250')).message).toContain('use == for equality');
    expect(inputErrorOf(() => parseThreshold('p99<250min')).message).toContain('not a latency unit');
    expect(inputErrorOf(() => parseThreshold('error_rate<5')).message).toContain('did you mean 5%?');
    expect(inputErrorOf(() => parseThreshold('error_rate<1ms')).message).toContain('not an error-rate unit');
    expect(inputErrorOf(() => parseThreshold('actual_qps>=950ms')).message).toContain('not a rate unit');
    expect(inputErrorOf(() => parseThreshold('errors<1%')).message).toContain('takes no unit');
    expect(inputErrorOf(() => parseThreshold('p99<-1')).message).toContain('does not have the form');
    expect(inputErrorOf(() => parseThreshold('p99')).message).toContain('does not have the form');
    expect(inputErrorOf(() => parseThreshold('')).message).toContain('does not have the form');
  });
});

describe('threshold sources', () => {
  it('reads the action input one per line, skipping blanks and comments, and names the line of a bad one', () => {
    const ts = parseThresholdsInput('p99<250ms\n\n# keep errors low\nerror_rate<1%\r\nactual_qps>=950\n');
    expect(ts.map((t) => t.expression)).toEqual(['p99<250ms', 'error_rate<1%', 'actual_qps>=950']);
    expect(ts[1]!.source).toBe('thresholds input line 4');
    const e = inputErrorOf(() => parseThresholdsInput('p99<250ms\np99 < fast'));
    expect(e.message).toMatch(/^thresholds input line 2: bad threshold "p99 < fast"/);
  });

  it('reports every bad expression at once', () => {
    const e = inputErrorOf(() => parseThresholdFlags(['p99<250ms', 'p42<1', 'error_rate<7']));
    expect(e.message).toContain('2 thresholds are invalid');
    expect(e.details).toHaveLength(2);
    expect(e.details[0]).toMatch(/^--threshold: bad threshold "p42<1": unknown metric/);
    expect(e.details[1]).toContain('did you mean 7%?');
  });

  it('accepts no thresholds at all', () => {
    expect(parseThresholdFlags([])).toEqual([]);
    expect(parseThresholdsInput('')).toEqual([]);
  });
});

describe('evaluateThresholds', () => {
  // 1000 requests over 10 s; corrected p99 ≈ 312.4 ms, uncorrected all 1 ms; 20 errors.
  const corrected = [...Array.from({ length: 985 }, () => 1000), ...Array.from({ length: 15 }, () => 312_400)];
  const result = buildSmpResult(
    makeRun({ correctedUs: corrected, uncorrectedUs: corrected.map(() => 1000), statusCodes: { '200': 980, '500': 20 }, durationS: 10 }),
    makeContext(),
  );

  it('reads the corrected latencies and names a missed threshold with its figure', () => {
    const [r] = evaluateThresholds(result, [parseThreshold('p99<250ms')]);
    expect(r!.passed).toBe(false);
    expect(r!.actual).toBeCloseTo(312.4, 0);
    expect(r!.message).toMatch(/^p99<250ms missed: p99 was 312\.\d+ ms$/);
  });

  it('reports the actual figure in the threshold\'s unit', () => {
    const rs = evaluateThresholds(result, parseThresholdFlags(['p50<=0.2s', 'p50<1500us', 'error_rate<1%', 'error_rate<0.03', 'actual_qps>=95', 'requests==1000', 'errors<10']));
    expect(rs.map((r) => [r.actual, r.passed])).toEqual([
      [0.001, true],
      [1000, true],
      [2, false],
      [0.02, true],
      [100, true],
      [1000, true],
      [20, false],
    ]);
    expect(rs[2]!.message).toBe('error_rate<1% missed: error_rate was 2%');
    expect(rs[4]!.message).toBe('actual_qps>=95 passed: actual_qps was 100 requests/s');
    expect(rs[6]!.message).toBe('errors<10 missed: errors was 20');
  });

  it('compares at the boundary as the operator says', () => {
    const at = (expr: string) => evaluateThresholds(result, [parseThreshold(expr)])[0]!.passed;
    expect(at('requests<1000')).toBe(false);
    expect(at('requests<=1000')).toBe(true);
    expect(at('requests>1000')).toBe(false);
    expect(at('requests>=1000')).toBe(true);
    expect(at('requests==999')).toBe(false);
    // 1 ms is 0.001 s despite float noise in the conversion.
    expect(at('p50==0.001s')).toBe(true);
  });

  it('fails latency and error-rate thresholds when no request completed, instead of passing on zeros', () => {
    const empty = buildSmpResult(makeRun({}), makeContext());
    const rs = evaluateThresholds(empty, parseThresholdFlags(['p99<250ms', 'error_rate<1%', 'errors==0']));
    expect(rs.map((r) => r.passed)).toEqual([false, false, true]);
    expect(rs[0]!.actual).toBeNull();
    expect(rs[0]!.message).toBe('p99<250ms missed: no requests completed, so p99 is unknown');
  });

  it('fails latency thresholds when every request failed without a response', () => {
    const refused = buildSmpResult(makeRun({ errorKinds: { refused: 50 } }), makeContext());
    const rs = evaluateThresholds(refused, parseThresholdFlags(['p99<250ms', 'error_rate<1%']));
    expect(rs.map((r) => [r.passed, r.actual])).toEqual([[false, null], [false, 100]]);
    expect(rs[0]!.message).toBe('p99<250ms missed: no request got a response, so p99 is unknown');
  });

  it('reads the new metrics: success_qps, unsent_rate and achieved_ratio', () => {
    // 100 intended: 80 sent (70 ok, 10 failed), 20 unsent, over 10 s.
    const overloaded = buildSmpResult(makeRun({ correctedUs: Array.from({ length: 80 }, () => 1000), statusCodes: { '200': 70, '500': 10 }, unsent: 20, durationS: 10 }), makeContext());
    const rs = evaluateThresholds(overloaded, parseThresholdFlags(['success_qps>=7', 'actual_qps>=8', 'unsent_rate<10%', 'unsent_rate<=0.2', 'achieved_ratio>=0.95', 'achieved_ratio>=80%']));
    expect(rs.map((r) => [r.metric, r.actual, r.passed])).toEqual([
      ['success_qps', 7, true],
      ['actual_qps', 8, true],
      ['unsent_rate', 20, false],
      ['unsent_rate', 0.2, true],
      ['achieved_ratio', 0.8, false],
      ['achieved_ratio', 80, true],
    ]);
  });

  it('does not let failed requests pass a throughput threshold on success_qps', () => {
    const refused = buildSmpResult(makeRun({ errorKinds: { refused: 500 }, durationS: 10 }), makeContext());
    const rs = evaluateThresholds(refused, parseThresholdFlags(['actual_qps>=50', 'success_qps>=50']));
    // actual_qps keeps its SMP/Fortio meaning (every completed attempt); success_qps is the honest one.
    expect(rs.map((r) => [r.actual, r.passed])).toEqual([[50, true], [0, false]]);
  });

  it('summarises what was missed in one line', () => {
    const rs = evaluateThresholds(result, parseThresholdFlags(['p99<250ms', 'actual_qps>=95', 'error_rate<1%']));
    expect(thresholdFailureMessage(rs)).toMatch(/^2 of 3 thresholds missed: p99<250ms missed: p99 was 312\.\d+ ms; error_rate<1% missed: error_rate was 2%$/);
    expect(thresholdFailureMessage(rs.filter((r) => r.passed))).toBeUndefined();
  });
});

describe('formatFigure', () => {
  it('keeps the precision of the measurement and drops trailing zeros', () => {
    expect(formatFigure(312.4, 'ms')).toBe('312.4 ms');
    expect(formatFigure(0.25, 'ms')).toBe('0.25 ms');
    expect(formatFigure(0.00025, 's')).toBe('0.00025 s');
    expect(formatFigure(2.5, '%')).toBe('2.5%');
    expect(formatFigure(940.456, 'rps')).toBe('940.46 requests/s');
    expect(formatFigure(20, 'count')).toBe('20');
  });
});
