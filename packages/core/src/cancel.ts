/**
 * SIGINT/SIGTERM (Ctrl-C, or a cancelled workflow: the runner sends SIGINT, then SIGTERM, then
 * kills) abort the run through one AbortSignal. Work stops, partial results are written and
 * marked cancelled, and what we created is cleaned up. A second signal exits at once.
 */
export interface Cancellation {
  signal: AbortSignal;
  /** Which signal cancelled the run, if any. */
  readonly reason: NodeJS.Signals | undefined;
  dispose(): void;
}

export function cancelOnSignals(onSecond: () => void = () => process.exit(130)): Cancellation {
  const controller = new AbortController();
  let reason: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      onSecond();
      return;
    }
    reason = sig;
    controller.abort(new CancelledError(sig));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export class CancelledError extends Error {
  constructor(readonly signalName: string) {
    super(`cancelled by ${signalName}`);
    this.name = 'CancelledError';
  }
}
