import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { formatGoDuration } from './duration.js';
import { infraError } from './errors.js';
import type { Logger } from './log.js';

/**
 * The one way to wait (docs/architecture.md, "Waiting and cancelling"). Every deadline is an
 * AbortSignal (AbortSignal.timeout, joined to the run's cancellation with AbortSignal.any), and the
 * work under it receives that signal, so a timed-out request is really aborted: its socket is
 * closed, not left running behind a Promise.race.
 *
 * The deadline also travels implicitly: `withDeadline` runs its work inside an async scope, and
 * clients that cannot take a signal argument on every call (the Kubernetes client's generated
 * APIs) read it with `ambientSignal()`. Nested deadlines combine, the nearest one wins.
 */

const scope = new AsyncLocalStorage<AbortSignal>();

/** The deadline (and cancellation) of the work this call runs under, if any. */
export function ambientSignal(): AbortSignal | undefined {
  return scope.getStore();
}

/** A deadline's expiry, told apart from a cancellation by its type. */
export class DeadlineExceeded extends Error {
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super(message);
    this.name = 'DeadlineExceeded';
  }
}

export interface DeadlineOptions {
  /** What is waited for, for the message: "GET /version", "apply Deployment a/b". */
  what: string;
  /** The caller's cancellation; an abort here rejects with its own reason, not a timeout. */
  signal?: AbortSignal;
}

/** The signal for `ms` from now, joined to `signal` and to the ambient deadline. */
export function deadlineSignal(ms: number, signal?: AbortSignal): AbortSignal {
  const signals = [AbortSignal.timeout(Math.max(0, Math.ceil(ms)))];
  if (signal) signals.push(signal);
  const ambient = ambientSignal();
  if (ambient && ambient !== signal) signals.push(ambient);
  return signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
}

/**
 * Runs `work` with a signal that aborts after `ms` (or when the caller's signal or an enclosing
 * deadline does). `work` must hand the signal to whatever it waits on; when the deadline passes
 * the promise rejects with DeadlineExceeded, whether or not `work` has settled yet.
 */
export async function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, options: DeadlineOptions): Promise<T> {
  const own = AbortSignal.timeout(Math.max(0, Math.ceil(ms)));
  const parents = [options.signal, ambientSignal()].filter((s): s is AbortSignal => s !== undefined);
  const signal = parents.length === 0 ? own : AbortSignal.any([own, ...parents]);
  const expired = () => new DeadlineExceeded(`${options.what}: no answer within ${formatGoDuration(ms)}`, ms);
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(own.aborted && !parents.some((p) => p.aborted) ? expired() : signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([scope.run(signal, () => work(signal)), aborted]);
  } catch (error) {
    // The work may reject first with its own AbortError; name the deadline instead.
    if (own.aborted && !parents.some((p) => p.aborted)) throw expired();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort!);
    aborted.catch(() => {});
  }
}

/** Waits `ms`; cancellation ends the wait at once by rejecting with the signal's reason. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleepFor(Math.max(0, ms), undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

export interface PollOptions {
  /** What we wait for, for messages: "the cluster", "the osm control plane". */
  what: string;
  timeoutMs: number;
  /** Time between checks (default 2 s). Polling with a deadline, never a fixed wait for readiness. */
  intervalMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

/**
 * Calls `check` until it reports nothing left to wait for, or the deadline passes. `check` returns
 * a description of the first thing that is not ready yet (`pod kube-system/coredns-x is not Ready`)
 * or undefined when all is ready; a thrown error counts as not ready, with its message. On timeout
 * the error names what was still not ready. Each check runs under the remaining deadline, and its
 * requests are aborted when it passes, so an API server that stops answering cannot stretch the wait.
 */
export async function pollUntilReady(check: (signal: AbortSignal) => Promise<string | undefined>, options: PollOptions): Promise<void> {
  const { logger, signal } = options;
  const interval = options.intervalMs ?? 2000;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let last = 'no check finished';
  const attempt = async (ms: number): Promise<string | undefined> => {
    try {
      return await withDeadline(check, ms, { what: options.what, signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof DeadlineExceeded) return last;
      return (error as Error).message ?? String(error);
    }
  };
  for (;;) {
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const pending = await attempt(remaining);
    if (pending === undefined) return;
    last = pending;
    logger?.progress(`${options.what}: waiting, ${last} (${Math.round((Date.now() - started) / 1000)} s)`);
    if (Date.now() + interval > deadline) {
      // One last look right at the deadline, so a short timeout still gets a final check.
      await sleep(deadline - Date.now(), signal);
      const final = await attempt(1000);
      if (final === undefined) return;
      last = final;
      break;
    }
    await sleep(interval, signal);
  }
  throw infraError(`${options.what} was not ready within ${formatGoDuration(options.timeoutMs)}: ${last}`);
}
