import { infraError } from '../errors.js';
import { formatGoDuration } from '../duration.js';
import type { Logger } from '../log.js';

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
 * the error names what was still not ready. Each check is itself bounded by the deadline, so an
 * API server that stops answering cannot stretch the wait.
 */
export async function pollUntilReady(check: () => Promise<string | undefined>, options: PollOptions): Promise<void> {
  const { logger, signal } = options;
  const interval = options.intervalMs ?? 2000;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let last = 'no check finished';
  for (;;) {
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const pending = await within(check(), remaining).catch((error: unknown) => (error as Error).message ?? String(error));
    if (pending === undefined) return;
    if (pending !== TIMED_OUT) last = pending;
    logger?.progress(`${options.what}: waiting, ${last} (${Math.round((Date.now() - started) / 1000)} s)`);
    if (Date.now() + interval > deadline) {
      // One last look right at the deadline, so a short timeout still gets a final check.
      await delay(Math.max(0, deadline - Date.now()), signal);
      const final = await within(check(), 1000).catch((error: unknown) => (error as Error).message);
      if (final === undefined) return;
      if (final !== TIMED_OUT) last = final;
      break;
    }
    await delay(interval, signal);
  }
  throw infraError(`${options.what} was not ready within ${formatGoDuration(options.timeoutMs)}: ${last}`);
}

const TIMED_OUT = '\u0000timed out';

function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Waits between polls; wakes early and rejects when the signal aborts. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
