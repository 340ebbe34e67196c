import * as core from '@actions/core';
import { cancelOnSignals, CancelledError } from '../cancel.js';
import { MeshspecError, worstKind, type FailureKind } from '../errors.js';
import { GitHubLogger } from './logger.js';
import { scrubber } from './mask.js';
import { isPost, markMainStarted } from './state.js';

export interface ActionContext {
  logger: GitHubLogger;
  /** Aborted on SIGINT/SIGTERM (a cancelled workflow). */
  signal: AbortSignal;
}

/** What main reports: the failure kind lets later steps tell a failed test from a broken setup. */
export interface MainOutcome {
  failureKind: FailureKind;
  /** The message for setFailed when failureKind is not `none`. */
  failureMessage?: string;
}

/**
 * One outcome from the parts of a main (the run, publishing, sharing the results): the worst
 * failure kind (errors.ts worstKind), with the message of the first part that has it.
 */
export function worstOutcome(parts: MainOutcome[]): MainOutcome {
  const failureKind = worstKind(parts.map((p) => p.failureKind));
  return { failureKind, failureMessage: parts.find((p) => p.failureKind === failureKind)?.failureMessage };
}

/**
 * The single entry point of both actions (the docker/actions-toolkit pattern): the same bundle is
 * the main and the post step, told apart by a state flag that main sets first. Errors are reported
 * once here; a user error prints its message and details, never a stack trace.
 */
export async function run(main: (ctx: ActionContext) => Promise<MainOutcome>, post?: (ctx: ActionContext) => Promise<void>): Promise<void> {
  const logger = new GitHubLogger(scrubber);
  if (isPost()) {
    if (!post) return;
    const cancel = cancelOnSignals();
    try {
      await post({ logger, signal: cancel.signal });
    } catch (error) {
      // Cleanup is best effort: a failed teardown must not turn a green job red.
      core.warning(`post step: ${scrubber.scrub((error as Error).message)}`);
    } finally {
      cancel.dispose();
    }
    return;
  }
  markMainStarted();
  const cancel = cancelOnSignals();
  try {
    const outcome = await main({ logger, signal: cancel.signal });
    core.setOutput('failure_kind', outcome.failureKind);
    if (outcome.failureKind !== 'none') core.setFailed(scrubber.scrub(outcome.failureMessage ?? `failed (${outcome.failureKind})`));
  } catch (error) {
    const kind: FailureKind =
      error instanceof CancelledError || cancel.signal.aborted ? 'cancelled' : error instanceof MeshspecError ? error.kind : 'infra';
    core.setOutput('failure_kind', kind);
    if (error instanceof MeshspecError) {
      for (const d of error.details) core.error(scrubber.scrub(d), error.file ? { file: error.file } : undefined);
      core.setFailed(scrubber.scrub(error.message));
    } else if (kind === 'cancelled') {
      core.setFailed('cancelled');
    } else {
      core.debug(scrubber.scrub(String((error as Error).stack ?? error)));
      core.setFailed(scrubber.scrub(`unexpected error: ${(error as Error).message ?? error}`));
    }
  } finally {
    cancel.dispose();
  }
}
