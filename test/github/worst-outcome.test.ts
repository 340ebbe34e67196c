import { describe, expect, it } from 'vitest';
import { worstOutcome } from '../../packages/core/src/github/run.js';

describe('worstOutcome: one action outcome from the run, sharing and publishing', () => {
  it('keeps the worst kind with the message of the first part that has it', () => {
    const run = { failureKind: 'test' as const, failureMessage: 'p99 over the threshold' };
    const shared = { failureKind: 'infra' as const, failureMessage: 'the comment was not posted' };
    const published = { failureKind: 'publish' as const, failureMessage: 'the result was not published' };
    expect(worstOutcome([run, shared, published])).toEqual(run);
    expect(worstOutcome([{ failureKind: 'none' }, shared, published])).toEqual(shared);
    expect(worstOutcome([{ failureKind: 'none' }, { failureKind: 'none' }, published])).toEqual(published);
    expect(worstOutcome([{ failureKind: 'none', failureMessage: 'fine' }, { failureKind: 'none' }])).toEqual({ failureKind: 'none', failureMessage: 'fine' });
    expect(worstOutcome([published, { failureKind: 'cancelled', failureMessage: 'cancelled' }])).toEqual({ failureKind: 'cancelled', failureMessage: 'cancelled' });
  });
});
