import type { CliIO } from '../../packages/core/src/cli/command.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { SecretScrubber } from '../../packages/core/src/redact.js';

/**
 * A CliIO for running commands in-process (runCli): it keeps what the command printed and logged.
 * `all()` is everything it left as text, for secret checks and failure messages.
 */
export function cliIO(options: { cwd: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; logger?: MemoryLogger }) {
  const out: string[] = [];
  const err: string[] = [];
  const logger = options.logger ?? new MemoryLogger();
  const io: CliIO = {
    stdout: { write: (s: string) => (out.push(s), true) },
    stderr: { write: (s: string) => (err.push(s), true) },
    logger,
    signal: options.signal ?? new AbortController().signal,
    env: options.env ?? {},
    cwd: options.cwd,
    secrets: new SecretScrubber(),
  };
  const stdout = () => out.join('');
  const stderr = () => err.join('');
  return { io, logger, stdout, stderr, all: () => [stdout(), stderr(), logger.text()].join('\n') };
}
