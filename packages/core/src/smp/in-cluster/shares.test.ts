import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../../errors.js';
import { assertPodShares, podPlan, shareOf, type WorkerPlan } from './shares.js';

const where = { pods: '--pods', client: (i: number) => `$.test.clients[${i}]` };

describe('exact shares over pods', () => {
  it('adds up exactly and never differs by more than one, for awkward numbers', () => {
    for (const [total, pods] of [[7, 3], [1000, 7], [2001, 4], [13, 13], [997, 10], [5, 1], [1, 1], [100_003, 9]] as const) {
      const shares = Array.from({ length: pods }, (_, i) => shareOf(total, pods, i));
      expect(shares.reduce((a, b) => a + b, 0), `${total} over ${pods}`).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
    expect([0, 1, 2].map((i) => shareOf(7, 3, i))).toEqual([3, 2, 2]);
  });

  it('gives each pod its share of every client; a closed loop stays closed', () => {
    const plan: WorkerPlan = {
      durationMs: 1000,
      requestTimeoutMs: 1000,
      clients: [
        { urls: ['http://a/'], connections: 10, rps: 1001, method: 'GET', headers: {}, cookies: {} },
        { urls: ['http://b/'], connections: 5, rps: 0, method: 'GET', headers: {}, cookies: {} },
      ],
    };
    const plans = [0, 1, 2, 3].map((i) => podPlan(plan, 4, i));
    expect(plans.map((p) => p.clients[0]!.rps)).toEqual([251, 250, 250, 250]);
    expect(plans.map((p) => p.clients[0]!.connections)).toEqual([3, 3, 2, 2]);
    expect(plans.map((p) => p.clients[1]!.rps)).toEqual([0, 0, 0, 0]);
    expect(plans.map((p) => p.clients[1]!.connections)).toEqual([2, 1, 1, 1]);
    expect(() => podPlan(plan, 4, 4)).toThrow(/outside 0..3/);
  });

  it('refuses a client with fewer connections (or rps) than pods, naming the client and the input', () => {
    expect(() => assertPodShares([{ connections: 4, rps: 400 }], 4, where)).not.toThrow();
    let error: unknown;
    try {
      assertPodShares([{ connections: 4, rps: 0 }, { connections: 3, rps: 100 }], 4, where);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MeshspecError);
    expect((error as MeshspecError).kind).toBe('input');
    expect((error as Error).message).toMatch(/\$\.test\.clients\[1\]: 3 connections cannot be shared by 4 pods \(--pods\); give it at least 4 connections or lower --pods to 3/);
    expect(() => assertPodShares([{ connections: 8, rps: 3 }], 4, where)).toThrow(/3 rps cannot be shared by 4 pods/);
    expect(() => assertPodShares([{ connections: 8, rps: 10.5 }], 4, where)).toThrow(/whole number/);
  });
});
