import { describe, expect, it } from 'vitest';
import { DeadlineExceeded, ambientSignal, pollUntilReady, sleep, withDeadline } from './wait.js';

describe('withDeadline', () => {
  it('aborts the work it times out and names what took too long', async () => {
    let seen: AbortSignal | undefined;
    const work = (signal: AbortSignal) => {
      seen = signal;
      return new Promise<never>(() => {});
    };
    await expect(withDeadline(work, 50, { what: 'GET /x' })).rejects.toThrow(new DeadlineExceeded('GET /x: no answer within 50ms', 50));
    expect(seen?.aborted).toBe(true);
  });

  it('rejects with the cancellation reason, not a timeout, when the caller cancels', async () => {
    const controller = new AbortController();
    const running = withDeadline((s) => sleep(10_000, s), 10_000, { what: 'x', signal: controller.signal });
    controller.abort(new Error('cancelled by SIGINT'));
    await expect(running).rejects.toThrow('cancelled by SIGINT');
  });

  it('hands the nearest deadline to nested work through the ambient signal', async () => {
    let inner: AbortSignal | undefined;
    await expect(
      withDeadline(async () => {
        inner = ambientSignal();
        await sleep(10_000, inner);
      }, 50, { what: 'outer' }),
    ).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(inner?.aborted).toBe(true);
    expect(ambientSignal()).toBeUndefined();
  });
});

describe('pollUntilReady', () => {
  it('reports what was still not ready at the deadline', async () => {
    await expect(pollUntilReady(async () => 'pod a is not Ready', { what: 'the cluster', timeoutMs: 150, intervalMs: 20 })).rejects.toThrow(
      'the cluster was not ready within 150ms: pod a is not Ready',
    );
  });

  it('aborts a check that hangs past the deadline', async () => {
    let signal: AbortSignal | undefined;
    const check = (s: AbortSignal) => {
      signal = s;
      return new Promise<string | undefined>(() => {});
    };
    await expect(pollUntilReady(check, { what: 'the mesh', timeoutMs: 100, intervalMs: 20 })).rejects.toThrow(/the mesh was not ready within 100ms/);
    expect(signal?.aborted).toBe(true);
  });
});
