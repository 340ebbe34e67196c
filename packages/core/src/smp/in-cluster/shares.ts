import { inputError } from '../../errors.js';
import type { ClientPlan, LoadPlan } from '../loadgen/types.js';

/**
 * Exact shares of a client's connections and rate over the pods of a load Job: pod i of P gets
 * floor(N/P), plus one while i < N mod P. The shares add up to N exactly, and no two differ by
 * more than one. A closed-loop client (rps 0) stays closed loop in every pod.
 */
export function shareOf(total: number, pods: number, index: number): number {
  return Math.floor(total / pods) + (index < total % pods ? 1 : 0);
}

/** The part of a LoadPlan a pod receives (MESHSPEC_LOAD_PLAN): no signal, no callbacks. */
export type WorkerPlan = Pick<LoadPlan, 'clients' | 'durationMs' | 'requestTimeoutMs' | 'insecureTls'>;

/** The plan pod `index` of `pods` runs: every client with its share of connections and rate. */
export function podPlan(plan: WorkerPlan, pods: number, index: number): WorkerPlan {
  if (!Number.isInteger(pods) || pods < 1) throw new RangeError(`pods must be a positive integer, not ${pods}`);
  if (!Number.isInteger(index) || index < 0 || index >= pods) throw new RangeError(`pod index ${index} is outside 0..${pods - 1}`);
  return {
    ...plan,
    clients: plan.clients.map((c): ClientPlan => ({
      ...c,
      connections: shareOf(c.connections, pods, index),
      rps: c.rps > 0 ? shareOf(c.rps, pods, index) : 0,
    })),
  };
}

/**
 * Refuses a split that cannot be exact, at input time: every pod needs at least one connection of
 * every client, and an open-model client at least 1 rps per pod (a share of 0 rps would turn that
 * pod into a closed loop). Rates are whole requests per second, so the shares stay whole.
 */
export function assertPodShares(
  clients: ReadonlyArray<{ connections: number; rps: number }>,
  pods: number,
  where: { pods: string; client: (i: number) => string },
): void {
  const problems: string[] = [];
  clients.forEach((c, i) => {
    if (c.connections < pods) {
      problems.push(`${where.client(i)}: ${c.connections} connection${c.connections === 1 ? '' : 's'} cannot be shared by ${pods} pods (${where.pods}); give it at least ${pods} connections or lower ${where.pods} to ${Math.max(1, c.connections)}`);
    }
    if (c.rps > 0 && !Number.isInteger(c.rps)) problems.push(`${where.client(i)}: rps ${c.rps} is split over pods in whole requests per second; give a whole number`);
    else if (c.rps > 0 && c.rps < pods) problems.push(`${where.client(i)}: ${c.rps} rps cannot be shared by ${pods} pods (${where.pods}) without a pod at 0 rps (which would be a closed loop); give it at least ${pods} rps or lower ${where.pods} to ${c.rps}`);
  });
  if (problems.length === 1) throw inputError(problems[0]!);
  if (problems.length > 1) throw inputError(`${problems.length} clients cannot be split over ${pods} pods`, { details: problems });
}
