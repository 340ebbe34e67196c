import type { Logger } from '../log.js';
import type { SecretScrubber } from '../redact.js';

/** What every CLI command gets: streams, a logger, the cancellation signal, env and cwd. */
export interface CliIO {
  stdout: { write(s: string): boolean; isTTY?: boolean };
  stderr: { write(s: string): boolean; isTTY?: boolean };
  logger: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Secrets read so far (tokens); everything printed or written goes through it. */
  secrets: SecretScrubber;
}

export interface CliCommand {
  /** The words that select it, e.g. ['smp', 'run']. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Returns the exit code (DESIGN.md: 0, 1 test failed, 2 bad input, 3 infra, 130 cancelled). */
  run(args: string[], io: CliIO): Promise<number>;
}
