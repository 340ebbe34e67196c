import { describe, expect, it } from 'vitest';
import { Poller } from './engine.js';
import { CheckFailed } from './test-case.js';

const never = () => new Promise<void>(() => {});

describe('Poller', () => {
  it('says no attempt finished (and what to change) when the first attempt outlives the step', async () => {
    const poller = new Poller(Date.now() + 60, new AbortController().signal, 60);
    await expect(poller.until('trafficOnlyB', never)).rejects.toThrow(/^no attempt of trafficOnlyB finished within the step timeout .*raise step_timeout/);
  });

  it('keeps the last real failure when a later attempt is cut short by the deadline', async () => {
    let calls = 0;
    const poller = new Poller(Date.now() + 300, new AbortController().signal, 300);
    const attempt = () => (calls++ === 0 ? Promise.reject(new CheckFailed('app-b received 25 and app-c 25')) : never());
    await expect(poller.until('trafficBGrtC', attempt)).rejects.toThrow(/^app-b received 25 and app-c 25 \(still so at the step timeout/);
  });

  it('returns as soon as an attempt passes', async () => {
    let calls = 0;
    const poller = new Poller(Date.now() + 5_000, new AbortController().signal, 5_000);
    await poller.until('x', async () => {
      if (calls++ < 2) throw new CheckFailed('not yet');
    });
    expect(calls).toBe(3);
  });
});
